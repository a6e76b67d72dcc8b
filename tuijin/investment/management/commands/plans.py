from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.investment.choices import SplitMethod
from tuijin.investment.models import AnnualPlan
from tuijin.investment.services import plan_set
from tuijin.projects.models import Project
from tuijin.regions.models import Region, name_key


class Command(TuijinCommand):
    help = (
        "Annual investment plans: `tuijin plans set PROJECT_CODE_OR_NAME --year Y --amount 万元 "
        "[--split even|seasonal]`, `tuijin plans show PROJECT_CODE_OR_NAME --year Y`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser("set", help="set a project's annual plan and split it by month")
        s.add_argument("project", help="project code, or project name")
        s.add_argument("--year", type=int, required=True)
        s.add_argument("--amount", required=True, help="万元")
        s.add_argument(
            "--split",
            choices=[SplitMethod.EVEN, SplitMethod.SEASONAL],
            default=None,
            help="monthly split (default: keep the plan's method; even for a new plan)",
        )
        s.add_argument("--region", help="region code, when several projects have the name")
        show = sub.add_parser("show", help="print a project's plan and its monthly split")
        show.add_argument("project")
        show.add_argument("--year", type=int, required=True)
        show.add_argument("--region")

    def _project(self, text: str, region_code: str | None) -> Project:
        qs = Project.objects.select_related("region")
        if region_code:
            region = Region.objects.filter(code=region_code).first()
            if region is None:
                self.fail(_("No region with code %(code)s.") % {"code": region_code})
            qs = qs.in_region(region)
        project = qs.filter(code=text.strip()).first()
        if project:
            return project
        matches = list(qs.filter(name_key=name_key(text)))
        if not matches:
            self.fail(_("No project with code or name “%(p)s”.") % {"p": text})
        if len(matches) > 1:
            self.fail(
                _("Several projects are named “%(p)s”: give the project code or --region (%(codes)s).")
                % {"p": text, "codes": ", ".join(p.code for p in matches)}
            )
        return matches[0]

    def run(self, *args, **options):
        project = self._project(options["project"], options.get("region"))
        if options["action"] == "show":
            plan = AnnualPlan.objects.filter(project=project, year=options["year"]).first()
            if plan is None:
                self.fail(_("%(p)s has no plan for %(y)s.") % {"p": project, "y": options["year"]})
            self._print(plan)
            return
        try:
            Decimal(options["amount"].replace(",", ""))
        except ArithmeticError:
            self.fail(_("“%(value)s” is not an amount.") % {"value": options["amount"]})
        try:
            plan = plan_set(
                project=project, year=options["year"], amount=options["amount"].replace(",", ""), split=options["split"]
            )
        except ValidationError as exc:
            self.fail("; ".join(" ".join(v) for v in exc.message_dict.values()))
        self._print(plan)

    def _print(self, plan: AnnualPlan):
        self.stdout.write(
            _("%(project)s (%(code)s) %(year)s: annual plan %(amount)s 万元, split %(split)s")
            % {
                "project": plan.project.name,
                "code": plan.project.code,
                "year": plan.year,
                "amount": plan.amount,
                "split": plan.get_split_method_display(),
            }
        )
        for m, v in enumerate(plan.effective_months(), start=1):
            self.stdout.write(f"  {m:>2}月 {v:>14}")
