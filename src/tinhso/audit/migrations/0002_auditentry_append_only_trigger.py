"""AuditEntry is append-only in the database too: on PostgreSQL a trigger refuses UPDATE and DELETE
of `audit_auditentry` (the ORM already refuses them; this stops plain SQL)."""

from django.db import migrations

from tinhso.core.appendonly_triggers import protect


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        protect("audit_auditentry"),
    ]
