from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.core.importing import ImportFileError, RowErrors
from tuijin.investment.importer import apply_dispatch, plan_dispatch
from tuijin.regions.models import Region


class Command(TuijinCommand):
    help = (
        "Import a dispatch table (月度调度表, .xlsx): each project's completed investment per month. Reports are "
        "written as accepted (the office's own figures). Exit status 2 on bad input, with nothing written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--region", required=True, help="region code: the scope projects are matched in")
        parser.add_argument("--dry-run", action="store_true", help="print what would change and write nothing")

    def run(self, *args, **options):
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            self.fail(_("No region with code %(code)s.") % {"code": options["region"]})
        path = options["file"]
        if not path.lower().endswith(".xlsx"):
            self.fail(_("The file is not an .xlsx workbook."))
        try:
            plan = plan_dispatch(path, region=region, year=options["year"])
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
        if options["dry_run"]:
            row_word = _("row")
            for line in plan.describe():
                self.stdout.write(f"  [{line['kind']}] {row_word} {line['row']} {line['project']} {line['detail']}")
        s = apply_dispatch(plan) if not options["dry_run"] else plan.summary()
        head = _("Dry run, nothing written. Would import") if options["dry_run"] else _("Imported")
        self.stdout.write(
            _(
                "%(head)s %(rows)s rows: %(new)s new monthly reports, %(changed)s changed, "
                "%(plans)s annual plans, %(unchanged)s rows unchanged."
            )
            % {
                "head": head,
                "rows": s["rows"],
                "new": s["reports_new"],
                "changed": s["reports_changed"],
                "plans": s["annual_plans"],
                "unchanged": s["unchanged_rows"],
            }
        )
