"""Ship the example schemes: `province` (the province's 100-point scheme) and `zone-monthly`."""

from django.db import migrations


def ship(apps, schema_editor):
    from tuijin.assessment.shipped import ensure_shipped_schemes

    ensure_shipped_schemes(apps)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
