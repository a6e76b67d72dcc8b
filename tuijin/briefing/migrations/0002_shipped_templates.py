"""Seed the shipped briefing templates `monthly` and `weekly` (tuijin/briefing/shipped.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from tuijin.briefing.shipped import seed as seed_templates

    seed_templates(apps.get_model("briefing", "BriefingTemplate"))


class Migration(migrations.Migration):
    dependencies = [("briefing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
