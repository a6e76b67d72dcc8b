"""Seed the editable problem categories (要素保障 and the rest)."""

from django.db import migrations

CATEGORIES = ["土地", "规划", "环评", "能耗", "资金", "水电气暖", "审批手续", "征迁", "施工环境", "其他"]


def seed(apps, schema_editor):
    ProblemCategory = apps.get_model("coordination", "ProblemCategory")
    for order, name in enumerate(CATEGORIES, start=1):
        ProblemCategory.objects.get_or_create(name=name, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
