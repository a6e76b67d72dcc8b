# Fewer indexes on the monthly reports, each paid by every report a dispatch import writes: the covering index
# (the statistics read ReportedYear since 0005), the reviewer's foreign-key index, and the PostgreSQL LIKE index
# Django adds beside a CharField's db_index (status is a code, never matched by LIKE). Done as DROP INDEX IF
# EXISTS (SQLite would otherwise copy the whole table twice to alter the fields).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROPPED = (
    "investment_monthlyreport_reviewed_by_id_45cdbc85",
    "investment_monthlyreport_status_f2e6b687",
    "investment_monthlyreport_status_f2e6b687_like",  # PostgreSQL only
)


def drop_field_indexes(apps, schema_editor):
    for name in (*DROPPED, "monthly_report_year_cover"):  # the last may be gone already on a bench database
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_field_indexes(apps, schema_editor):
    qn = schema_editor.quote_name
    table = qn("investment_monthlyreport")
    schema_editor.execute(f"CREATE INDEX {qn(DROPPED[0])} ON {table} ({qn('reviewed_by_id')})")
    schema_editor.execute(f"CREATE INDEX {qn(DROPPED[1])} ON {table} ({qn('status')})")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX {qn(DROPPED[2])} ON {table} ({qn('status')} varchar_pattern_ops)")
    columns = ", ".join(qn(c) for c in ("year", "project_id", "month", "status", "invested"))
    schema_editor.execute(f"CREATE INDEX {qn('monthly_report_year_cover')} ON {table} ({columns})")


class Migration(migrations.Migration):

    dependencies = [
        ('investment', '0005_reportedyear'),
        ('projects', '0004_drop_redundant_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(
                    model_name='monthlyreport',
                    name='monthly_report_year_cover',
                ),
                migrations.AlterField(
                    model_name='monthlyreport',
                    name='reviewed_by',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by'),
                ),
                migrations.AlterField(
                    model_name='monthlyreport',
                    name='status',
                    field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('returned', 'Returned'), ('resubmitted', 'Resubmitted'), ('accepted', 'Accepted'), ('reopened', 'Reopened')], default='draft', max_length=12, verbose_name='status'),
                ),
            ],
            database_operations=[migrations.RunPython(drop_field_indexes, create_field_indexes)],
        ),
        migrations.AddIndex(
            model_name='monthlyreport',
            index=models.Index(fields=['status'], name='monthly_report_status_idx'),
        ),
    ]
