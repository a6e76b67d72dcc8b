import sys
import time

from django.utils.translation import gettext as _

from tuijin.coordination.channels import send_pending
from tuijin.core.commands import TuijinCommand
from tuijin.core.renderers import dumps


class Command(TuijinCommand):
    help = (
        "Send the queued notifications to email and the WeCom/DingTalk group robots. Failed sends are retried "
        "with back-off on a later run; a message is never sent twice. Run it every minute from cron or a "
        "systemd timer, or with --loop SECONDS as a service."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, help="send at most this many")
        parser.add_argument(
            "--bridges",
            action="store_true",
            help="first route open report reminders and red schedule warnings into the inbox",
        )
        parser.add_argument("--loop", type=int, metavar="SECONDS", help="keep running, waking every SECONDS")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def run(self, *args, **options):
        while True:
            if options["bridges"]:
                self._bridges()
            result = send_pending(limit=options["limit"])
            if options["json"]:
                sys.stdout.buffer.write(dumps(result.as_dict()) + b"\n")
                sys.stdout.flush()
            else:
                for e in result.errors:
                    self.stderr.write(e)
                self.stdout.write(
                    _("Notifications: %(sent)s sent, %(retrying)s to retry, %(failed)s given up.") % result.as_dict()
                )
            if not options["loop"]:
                return
            time.sleep(options["loop"])

    def _bridges(self):
        from django.utils import timezone

        from tuijin.coordination.channels import route_report_reminders, route_schedule_warnings
        from tuijin.projects.models import Project
        from tuijin.schedule.selectors import zone_warnings

        route_report_reminders()
        route_schedule_warnings(zone_warnings(Project.objects.all(), as_of=timezone.localdate()))
