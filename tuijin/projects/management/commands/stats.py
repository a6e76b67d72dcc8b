import datetime
import sys

from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.core.renderers import dumps
from tuijin.projects.models import Period, Project
from tuijin.projects.selectors import Scope, campaign_payload
from tuijin.regions.models import Region

GROUPS = ["batch", "leader", "unit", "industry", "region"]


class Command(TuijinCommand):
    help = (
        "Statistics: `tuijin stats [campaign] [--as-of YYYY-MM-DD] [--period N] [--region CODE] --json` (as of a "
        "date) and `tuijin stats investment --year Y [--month M] [--group-by batch|leader|unit|industry|region] "
        "[--region CODE] --json` (completion against plan and 序时进度, with forecasts); `tuijin stats coordination "
        "[--from DATE] [--to DATE] [--region CODE] --json` (meetings, tasks, problems)."
    )

    def add_arguments(self, parser):
        parser.add_argument("topic", nargs="?", default="campaign", choices=["campaign", "investment", "coordination"])
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--period", type=int)
        parser.add_argument("--region", help="region code (its subtree)")
        parser.add_argument("--year", type=int, help="investment: the plan year (default this year)")
        parser.add_argument(
            "--month",
            type=int,
            choices=range(1, 13),
            metavar="1-12",
            help="investment: through this month (default the last finished month)",
        )
        parser.add_argument("--group-by", choices=GROUPS, default="batch", help="investment: grouping")
        parser.add_argument("--from", dest="date_from", help="coordination: from YYYY-MM-DD (default: all)")
        parser.add_argument("--to", dest="date_to", help="coordination: to YYYY-MM-DD (default today)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def run(self, *args, **options):
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                self.fail(_("No region with code %(code)s.") % {"code": options["region"]})
        if options["topic"] == "coordination":
            from tuijin.coordination.cli import stats_payload

            payload = stats_payload(self, options, region)
        elif options["topic"] == "investment":
            payload = self._investment(options, region)
        else:
            payload = self._campaign(options, region)
        if options["json"]:
            sys.stdout.buffer.write(dumps(payload) + b"\n")
            sys.stdout.flush()
            return
        self._print_table(payload, options["topic"])

    def _campaign(self, options, region) -> dict:
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError:
                self.fail(_("Not a date: %(value)s (use YYYY-MM-DD).") % {"value": options["as_of"]})
        if options["period"] is not None and not Period.objects.filter(number=options["period"]).exists():
            self.fail(_("Period %(n)s does not exist.") % {"n": options["period"]})
        scope = Scope(as_of=as_of, period=options["period"])
        return campaign_payload(Project.objects.in_region(region), scope, region=region)

    def _investment(self, options, region) -> dict:
        from tuijin.investment.selectors import investment_payload

        today = timezone.localdate()
        year = options["year"] or today.year
        month = options["month"]
        if month is None:  # the last finished month of that year
            month = 12 if year < today.year else max(today.month - 1, 1)
        return investment_payload(
            Project.objects.in_region(region), year=year, month=month, group_by=options["group_by"], region=region
        )

    def _print_table(self, payload: dict, topic: str) -> None:
        if topic == "coordination":
            from tuijin.coordination.cli import print_stats

            return print_stats(self.stdout, payload)
        if topic == "investment":
            unit = _("unit")
            self.stdout.write(f"{payload['year']} 1-{payload['through_month']}  {unit}: 万元")
            for g in [*payload["groups"], payload["total"]]:
                self.stdout.write(
                    f"{g['label'] or '—':20} {g['projects']:>6} {g['annual_plan']:>14} "
                    f"{g['invested_to_date']:>14} {g['completion_rate']!s:>7} {g['gap_points']!s:>7}"
                )
            return
        as_of, unit = _("As of"), _("unit")
        self.stdout.write(f"{as_of} {payload['as_of']}  {unit}: 万元")
        for key, fig in [*payload["batches"].items(), ("total", payload["total"])]:
            self.stdout.write(
                f"{key:12} {fig['count']:>6} {fig['total_investment']:>16} {fig['annual_plan']:>14} "
                f"{fig['signed']:>5} {fig['started']:>5} {fig['in_production']:>5} {fig['effective']:>5}"
            )
