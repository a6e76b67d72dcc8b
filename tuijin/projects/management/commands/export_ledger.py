import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.projects.exporter import export_ledger
from tuijin.projects.models import Period, Project
from tuijin.projects.selectors import Scope, portfolio
from tuijin.regions.models import Region


class Command(TuijinCommand):
    help = "Export the ledger (current portfolio as of a date, or one period's list) to .xlsx in the ledger template."

    def add_arguments(self, parser):
        parser.add_argument("out")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--period", type=int)
        parser.add_argument("--region", help="region code (its subtree)")

    def run(self, *args, **options):
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError:
                self.fail(_("Not a date: %(value)s (use YYYY-MM-DD).") % {"value": options["as_of"]})
        if options["period"] is not None and not Period.objects.filter(number=options["period"]).exists():
            self.fail(_("Period %(n)s does not exist.") % {"n": options["period"]})
        qs = Project.objects.select_related("region", "enterprise", "leader", "responsible_unit")
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                self.fail(_("No region with code %(code)s.") % {"code": options["region"]})
            qs = qs.in_region(region)
        scope = Scope(as_of=as_of, period=options["period"])
        qs = portfolio(qs, scope, period_number=True).order_by("code")
        title = _ledger_title(region, scope)
        n = export_ledger(qs, options["out"], title=title)
        self.stdout.write(_("Exported %(n)s projects to %(out)s.") % {"n": n, "out": options["out"]})


def _ledger_title(region, scope) -> str:
    where = region.name if region else ""
    if scope.period is not None:
        return f"{where}“三个一批”项目台账（第{scope.period}期）"
    return f"{where}“三个一批”项目台账（截至{scope.as_of.isoformat()}）"
