"""DossierEvent is append-only in the database too: on PostgreSQL a trigger refuses UPDATE and DELETE
of `dossiers_dossierevent` (the ORM already refuses them; this stops plain SQL)."""

from django.db import migrations

from tinhso.core.appendonly_triggers import protect


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0004_overdue_mark"),
    ]

    operations = [
        protect("dossiers_dossierevent"),
    ]
