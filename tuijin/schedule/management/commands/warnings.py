import datetime
import sys

from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.core.renderers import dumps
from tuijin.projects.models import Project
from tuijin.regions.models import Region
from tuijin.schedule.selectors import zone_warnings


class Command(TuijinCommand):
    help = "Schedule warnings (预警): `tuijin warnings [--as-of DATE] [--region CODE] --json`."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--region", help="region code (its subtree)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def run(self, *args, **options):
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError:
                self.fail(_("Not a date: %(value)s (use YYYY-MM-DD).") % {"value": options["as_of"]})
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                self.fail(_("No region with code %(code)s.") % {"code": options["region"]})
        payload = zone_warnings(Project.objects.in_region(region), as_of=as_of)
        if options["json"]:
            sys.stdout.buffer.write(dumps(payload) + b"\n")
            sys.stdout.flush()
            return
        self.stdout.write(
            _("As of %(date)s  red: %(red)s  yellow: %(yellow)s")
            % {"date": payload["as_of"], "red": payload["red"], "yellow": payload["yellow"]}
        )
        for i in payload["items"]:
            self.stdout.write(
                f"{i['level']:<6} {i['days_late']:>4}  {i['project']}  {i['node']}  "
                f"{i['responsible_unit'] or '-'}  {i['leader'] or '-'}"
            )
        for e in payload["errors"]:
            self.stderr.write(f"{e['project']}: {e['error']}")
