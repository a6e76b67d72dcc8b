"""Ship the standard node templates and the 2021–2027 holiday calendar (fixtures/)."""

from django.db import migrations


def install(apps, schema_editor):
    from tuijin.schedule.defaults import install_calendar, install_templates

    install_templates(apps.get_model("schedule", "NodeTemplate"), apps.get_model("schedule", "TemplateNode"),
                      apps.get_model("schedule", "TemplateDependency"))
    install_calendar(apps.get_model("schedule", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [("schedule", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
