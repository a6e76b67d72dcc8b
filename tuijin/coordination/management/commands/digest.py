import datetime
import sys

from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.coordination.channels import send_digests
from tuijin.coordination.channels.digest import DAYS_AHEAD
from tuijin.core.commands import TuijinCommand
from tuijin.core.renderers import dumps


class Command(TuijinCommand):
    help = (
        "Write today's digest (tasks and problems of the user's unit due in the next days or overdue) into each "
        "user's inbox, queued for their channels. Once per user and day: safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--days", type=int, default=DAYS_AHEAD, help="look this many days ahead (default 3)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def run(self, *args, **options):
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError:
                self.fail(_("Not a date: %(value)s (use YYYY-MM-DD).") % {"value": options["as_of"]})
        if options["days"] < 0:
            self.fail(_("--days must be 0 or more."))
        result = send_digests(as_of=as_of, days_ahead=options["days"])
        if options["json"]:
            sys.stdout.buffer.write(dumps(result.as_dict()) + b"\n")
            sys.stdout.flush()
            return
        self.stdout.write(
            _("Digest %(date)s: %(users)s users with items due, %(new)s new messages.")
            % {"date": as_of, **result.as_dict()}
        )
