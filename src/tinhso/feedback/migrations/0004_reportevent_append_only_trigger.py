"""ReportEvent is append-only in the database too: on PostgreSQL a trigger refuses UPDATE and DELETE
of `feedback_reportevent` (the ORM already refuses them; this stops plain SQL)."""

from django.db import migrations

from tinhso.core.appendonly_triggers import protect


class Migration(migrations.Migration):

    dependencies = [
        ("feedback", "0003_notifications"),
    ]

    operations = [
        protect("feedback_reportevent"),
    ]
