from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.investment.forecast import backtest
from tuijin.projects.models import Project
from tuijin.regions.models import Region


class Command(TuijinCommand):
    help = (
        "Replay a finished year month by month: forecast each project's year-end investment from what was "
        "reported by then, and print the MAPE per month beside the naive forecast (to date ÷ elapsed share)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--region", help="region code (its subtree)")

    def run(self, *args, **options):
        qs = Project.objects.all()
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                self.fail(_("No region with code %(code)s.") % {"code": options["region"]})
            qs = qs.in_region(region)
        rows = backtest(qs, options["year"])
        if not rows or not rows[0]["projects"]:
            self.fail(_("No reported investment in %(year)s to replay.") % {"year": options["year"]})
        self.stdout.write(
            _("Forecast of year-end investment, %(year)s: %(n)s projects; MAPE (%%) by month")
            % {"year": options["year"], "n": rows[0]["projects"]}
        )
        month_w, method_w, naive_w, mean_w = _("month"), _("method"), _("naive"), _("mean")
        self.stdout.write(f"{month_w:>6} {method_w:>10} {naive_w:>10}")
        for row in rows:
            self.stdout.write(f"{row['month']:>6} {row['mape']:>10.2f} {row['naive_mape']:>10.2f}")
        mean = sum(r["mape"] for r in rows) / len(rows)
        naive = sum(r["naive_mape"] for r in rows) / len(rows)
        self.stdout.write(f"{mean_w:>6} {mean:>10.2f} {naive:>10.2f}")
