import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.investment.services import reminders_refresh, seasonal_profile_refresh


class Command(TuijinCommand):
    help = (
        "Daily: mark monthly reports missing after their zone's window and returned reports still to correct "
        "(the in-app reminder list), and refresh each zone's measured seasonal profile."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today)")

    def run(self, *args, **options):
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError:
                self.fail(_("Not a date: %(value)s (use YYYY-MM-DD).") % {"value": options["as_of"]})
        counts = reminders_refresh(as_of=as_of)
        zones = seasonal_profile_refresh(year=as_of.year)
        self.stdout.write(
            _(
                "Reminders as of %(date)s: %(created)s new, %(resolved)s resolved, %(open)s open. "
                "Seasonal profiles measured for %(zones)s zones."
            )
            % {**counts, "date": as_of, "zones": zones}
        )
