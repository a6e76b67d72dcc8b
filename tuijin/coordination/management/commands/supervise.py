import datetime
import sys

from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.coordination.choices import SupervisionLevel
from tuijin.coordination.supervision import supervise
from tuijin.core.commands import TuijinCommand
from tuijin.core.renderers import dumps


class Command(TuijinCommand):
    help = (
        "Run the supervision ladder once (提醒 → 催办 → 督办 → 通报): steps, numbered letters and inbox messages for "
        "open tasks and problems near or past their deadline. Safe to run again the same day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--dry-run", action="store_true", help="show what would be done, write nothing")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def run(self, *args, **options):
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError:
                self.fail(_("Not a date: %(value)s (use YYYY-MM-DD).") % {"value": options["as_of"]})
        result = supervise(as_of=as_of, dry_run=options["dry_run"])
        if options["json"]:
            sys.stdout.buffer.write(dumps(result.as_dict()) + b"\n")
            sys.stdout.flush()
            return
        if not result.working_day:
            self.stdout.write(_("%(date)s is not a working day: nothing to do.") % {"date": as_of})
            return
        for s in result.steps:
            item = _("task") if s.item == "task" else _("problem")
            days = (
                _("%(n)s days overdue") % {"n": s.days_overdue}
                if s.days_overdue > 0
                else _("due in %(n)s days") % {"n": -s.days_overdue}
                if s.days_overdue < 0
                else _("due today")
            )
            parts = [str(SupervisionLevel(s.level).label), f"{item} #{s.pk} {s.label}", s.unit, days]
            if s.letter:
                parts.append(s.letter)
            parts.append(_("%(n)s notified") % {"n": s.notified})
            self.stdout.write(" · ".join(parts))
        summary = _("Supervision as of %(date)s: %(steps)s steps, %(letters)s letters.") % {
            "date": as_of,
            "steps": len(result.steps),
            "letters": result.letters,
        }
        if result.dry_run:
            summary += " " + _("Dry run: nothing was written.")
        self.stdout.write(summary)
