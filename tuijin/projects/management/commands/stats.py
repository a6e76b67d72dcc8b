import datetime
import sys

from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.core.renderers import dumps
from tuijin.projects.models import Period, Project
from tuijin.projects.selectors import Scope, campaign_payload
from tuijin.regions.models import Region


class Command(TuijinCommand):
    help = "Campaign statistics as of a date: `tuijin stats [--as-of YYYY-MM-DD] [--period N] [--region CODE] --json`."

    def add_arguments(self, parser):
        parser.add_argument("topic", nargs="?", default="campaign", choices=["campaign"])
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--period", type=int)
        parser.add_argument("--region", help="region code (its subtree)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def run(self, *args, **options):
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError:
                self.fail(_("Not a date: %(value)s (use YYYY-MM-DD).") % {"value": options["as_of"]})
        if options["period"] is not None and not Period.objects.filter(number=options["period"]).exists():
            self.fail(_("Period %(n)s does not exist.") % {"n": options["period"]})
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                self.fail(_("No region with code %(code)s.") % {"code": options["region"]})
        payload = campaign_payload(
            Project.objects.in_region(region), Scope(as_of=as_of, period=options["period"]), region=region
        )
        if options["json"]:
            sys.stdout.buffer.write(dumps(payload) + b"\n")
            sys.stdout.flush()
            return
        self.stdout.write(f"{_('As of')} {payload['as_of']}  {_('unit')}: 万元")
        for key, fig in [*payload["batches"].items(), ("total", payload["total"])]:
            self.stdout.write(
                f"{key:12} {fig['count']:>6} {fig['total_investment']:>16} {fig['annual_plan']:>14} "
                f"{fig['signed']:>5} {fig['started']:>5} {fig['in_production']:>5} {fig['effective']:>5}"
            )
