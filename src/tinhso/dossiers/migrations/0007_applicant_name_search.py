"""The applicant's name folded for search (`tinhso.core.text.search_key`), filled for the
dossiers already stored, in batches, before its index is built."""

from django.conf import settings
from django.db import migrations, models

from tinhso.core.text import search_key

BATCH = 2000


def fill_applicant_name_search(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    last = 0
    while True:
        rows = list(Dossier.objects.filter(pk__gt=last).order_by("pk").only("pk", "applicant_name")[:BATCH])
        if not rows:
            return
        for row in rows:
            row.applicant_name_search = search_key(row.applicant_name)
        Dossier.objects.bulk_update(rows, ["applicant_name_search"])
        last = rows[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0001_initial'),
        ('catalogue', '0002_procedure_components'),
        ('dossiers', '0006_received_components'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='dossier',
            name='applicant_name_search',
            field=models.CharField(blank=True, default='', editable=False, max_length=255),
        ),
        migrations.RunPython(fill_applicant_name_search, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(fields=['applicant_name_search'], name='dossier_applicant_name', opclasses=['varchar_pattern_ops']),
        ),
    ]
