import sys

from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.core.importing import ImportFileError, RowErrors
from tuijin.projects.importer import apply_plan, plan_import
from tuijin.regions.models import Region


class Command(TuijinCommand):
    help = "Import a period's list of 三个一批 projects from .xlsx (ledger template). Exit status 2 on bad input."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--region", required=True, help="region code: default region, and the scope of matching")
        parser.add_argument("--period", type=int, help="period number for the whole file")
        parser.add_argument("--dry-run", action="store_true", help="print what would change and write nothing")

    def run(self, *args, **options):
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            self.fail(_("No region with code %(code)s.") % {"code": options["region"]})
        path = options["file"]
        if not path.lower().endswith(".xlsx"):
            self.fail(_("The file is not an .xlsx workbook."))
        try:
            plan = plan_import(path, region=region, period=options["period"], progress=self._progress)
        except FileNotFoundError:
            self.fail(_("File not found: %(path)s") % {"path": path})
        except ImportFileError as exc:
            self.fail(str(exc))
        except RowErrors as exc:
            for err in exc.errors:
                self.stderr.write(err.as_text())
            self.fail(_("%(n)s problems found; nothing was imported.") % {"n": len(exc.errors)})
        for warning in plan.warnings:
            self.stderr.write(_("Warning: %(w)s") % {"w": warning})
        summary = plan.summary()
        if options["dry_run"]:
            row_word = _("row")
            for line in plan.describe():
                self.stdout.write(
                    f"  [{line['kind']}] {row_word} {line['row'] or '-'} {line['project']} {line['detail']}".rstrip()
                )
            self.stdout.write(self._summary_text(summary, dry_run=True))
            return
        apply_plan(plan)
        self.stdout.write(self._summary_text(summary, dry_run=False))

    def _progress(self, done: int, total: int):
        if sys.stderr.isatty():
            self.stderr.write(f"\r{done}/{total}", ending="")
            if done == total:
                self.stderr.write("")

    def _summary_text(self, s: dict, *, dry_run: bool) -> str:
        head = _("Dry run, nothing written. Would import") if dry_run else _("Imported")
        return _(
            "%(head)s %(rows)s rows: %(new)s new projects, %(updated)s updated, %(listed)s listed, "
            "%(converted)s converted, %(removed)s removed, %(plans)s annual plans, "
            "%(unchanged)s rows unchanged."
        ) % {
            "head": head,
            "rows": s["rows"],
            "new": s["new_projects"],
            "updated": s["updated_projects"],
            "listed": s["listed"],
            "converted": s["converted"],
            "removed": s["removed"],
            "plans": s["annual_plans"],
            "unchanged": s["unchanged_rows"],
        }
