from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.investment.exporter import export_dispatch
from tuijin.projects.models import Project
from tuijin.regions.models import Region


class Command(TuijinCommand):
    help = "Export the dispatch table (月度调度表) for a month to .xlsx, with subtotals per batch and leader."

    def add_arguments(self, parser):
        parser.add_argument("out")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", type=int, required=True)
        parser.add_argument("--region", help="region code (its subtree)")

    def run(self, *args, **options):
        if not 1 <= options["month"] <= 12:
            self.fail(_("The month must be 1 to 12."))
        region = None
        qs = Project.objects.all()
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                self.fail(_("No region with code %(code)s.") % {"code": options["region"]})
            qs = qs.in_region(region)
        year, month = options["year"], options["month"]
        title = f"{region.name if region else ''}{year}年1-{month}月重点项目投资完成情况调度表"
        n = export_dispatch(qs, options["out"], year=year, month=month, title=title)
        self.stdout.write(_("Exported %(n)s projects to %(out)s.") % {"n": n, "out": options["out"]})
