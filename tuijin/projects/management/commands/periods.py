import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.projects.models import Period
from tuijin.projects.services import period_create


class Command(TuijinCommand):
    help = "Campaign periods: `tuijin periods add NUMBER --date YYYY-MM-DD [--name 第七期]`, `tuijin periods list`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a period")
        add.add_argument("number", type=int)
        add.add_argument("--date", required=True, help="YYYY-MM-DD")
        add.add_argument("--name", default="")
        sub.add_parser("list", help="list periods")

    def run(self, *args, **options):
        if options["action"] == "list":
            for p in Period.objects.all():
                self.stdout.write(f"{p.number}\t{p}\t{p.date.isoformat()}")
            return
        try:
            date = datetime.date.fromisoformat(options["date"])
        except ValueError:
            self.fail(_("Not a date: %(value)s (use YYYY-MM-DD).") % {"value": options["date"]})
        try:
            period = period_create(number=options["number"], date=date, name=options["name"])
        except ValidationError as exc:
            self.fail("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
        self.stdout.write(_("Added %(period)s on %(date)s.") % {"period": period, "date": period.date})
