import datetime
import sys

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.core.renderers import dumps
from tuijin.projects.models import Project
from tuijin.regions.models import name_key
from tuijin.schedule import cpm
from tuijin.schedule.models import NodeTemplate, ProjectNode
from tuijin.schedule.selectors import project_schedule, schedule_payload
from tuijin.schedule.services import checklist_create, target_set


class Command(TuijinCommand):
    help = (
        "Backward scheduling (倒排工期): `tuijin schedule PROJECT_CODE_OR_NAME --target NODE=YYYY-MM-DD "
        "[--from-template NAME] [--as-of DATE] --json`."
    )

    def add_arguments(self, parser):
        parser.add_argument("project", help="project code or name")
        parser.add_argument("--target", help="NODE=YYYY-MM-DD: the node and the date to schedule back from")
        parser.add_argument(
            "--kind",
            choices=[cpm.FINISH_NO_LATER_THAN, cpm.MUST_FINISH_ON],
            default=cpm.FINISH_NO_LATER_THAN,
            help="finish no later than (default) or must finish on",
        )
        parser.add_argument(
            "--from-template", help="template for a project that has no checklist yet (default: the default template)"
        )
        parser.add_argument("--as-of", help="YYYY-MM-DD: schedule as of this day (default today)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def _date(self, value: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.fail(_("Not a date: %(value)s (use YYYY-MM-DD).") % {"value": value})

    def _project(self, ref: str) -> Project:
        project = Project.objects.filter(code=ref).first()
        if project:
            return project
        found = list(Project.objects.filter(name_key=name_key(ref)).order_by("code")[:5])
        if not found:
            self.fail(_("No project with code or name %(ref)s.") % {"ref": ref})
        if len(found) > 1:
            self.fail(
                _("Several projects are named %(ref)s: use a code (%(codes)s).")
                % {"ref": ref, "codes": ", ".join(p.code for p in found)}
            )
        return found[0]

    def run(self, *args, **options):
        as_of = self._date(options["as_of"]) if options["as_of"] else timezone.localdate()
        target = None
        if options["target"]:
            node, sep, day = options["target"].rpartition("=")
            if not sep or not node.strip():
                self.fail(_("Give the target as NODE=YYYY-MM-DD."))
            target = (node.strip(), self._date(day.strip()))
        project = self._project(options["project"])
        try:
            with transaction.atomic():
                if not ProjectNode.objects.filter(project=project).exists():
                    template = None
                    if options["from_template"]:
                        template = NodeTemplate.objects.filter(name=options["from_template"]).first()
                        if template is None:
                            names = ", ".join(NodeTemplate.objects.values_list("name", flat=True))
                            self.fail(
                                _("No template named %(name)s (templates: %(names)s).")
                                % {"name": options["from_template"], "names": names}
                            )
                    checklist_create(project=project, template=template)
                elif options["from_template"]:
                    self.stderr.write(
                        _("%(project)s already has a checklist: --from-template is ignored.") % {"project": project}
                    )
                if target:
                    target_set(project=project, node=target[0], date=target[1], kind=options["kind"], as_of=as_of)
                rows, result = project_schedule(project, as_of=as_of)
        except cpm.ScheduleError as exc:
            self.fail(exc.message)
        except ValidationError as exc:
            self.fail("; ".join(exc.messages))
        payload = schedule_payload(project, result, rows)
        if options["json"]:
            sys.stdout.buffer.write(dumps(payload) + b"\n")
            sys.stdout.flush()
            return
        self._print(payload)

    def _print(self, payload: dict) -> None:
        t = payload["target"]
        self.stdout.write(f"{payload['project']['code']} {payload['project']['name']}  {_('As of')} {payload['as_of']}")
        if t:
            short = _("%(days)s days short") % {"days": payload["days_short"]}
            verdict = _("feasible") if payload["feasible"] else short
            self.stdout.write(f"{_('Target')}: {t['node']} {t['date']}  {verdict}")
        for n in payload["nodes"]:
            mark = "*" if n["critical"] else " "
            self.stdout.write(
                f"{mark} {n['name']:<14}\t{n['duration'] if n['duration'] is not None else '-':>4} "
                f"{n['earliest_start'] or '':>10} {n['earliest_finish'] or '':>10} "
                f"{n['latest_start'] or '':>10} {n['latest_finish'] or '':>10} "
                f"{n['total_float'] if n['total_float'] is not None else '':>5} {n['status']}"
            )
