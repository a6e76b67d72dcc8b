"""Schedules: node templates, each project's checklist of nodes (一个清单), targets, baselines, the
working-day calendar and the zone's warning thresholds."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, router
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel
from tuijin.core.permissions import Scope

from .choices import CalendarKind, DependencyType, Milestone, TargetKind

# A template's department name that stands for the project's own enterprise (the builder does the work).
ENTERPRISE_UNIT = "建设单位"

_PROJECT_SCOPE = Scope(region_path="project__region__path", enterprise="project__enterprise_id")


class QuickConstraintsMixin:
    """Validate the model's constraints without a query each where none is needed.

    Django checks a CheckConstraint by asking the database, and a UniqueConstraint by a query (two with a
    condition), on every `full_clean()`. Ours compare a row's own fields: `python_checks` decides each check
    constraint in Python (same message), and a unique constraint is only looked up when the row is new or one
    of its fields changed since it was loaded. The database still enforces them all."""

    python_checks: dict = {}

    def validate_constraints(self, exclude=None):
        exclude = set(exclude or ())
        loaded = getattr(self, "_loaded_values", None)
        using = router.db_for_write(type(self), instance=self)
        errors: dict = {}
        for constraint in self._meta.constraints:
            check = self.python_checks.get(constraint.name)
            try:
                if check is not None:
                    fields, ok = check
                    if not exclude.intersection(fields) and not ok(self):
                        raise ValidationError(
                            constraint.get_violation_error_message(), code=constraint.violation_error_code
                        )
                    continue
                if isinstance(constraint, models.UniqueConstraint) and loaded and not self._state.adding:
                    fields = [self._meta.get_field(f).attname for f in constraint.fields]
                    fields += [self._meta.get_field(f).attname for f in _condition_fields(constraint.condition)]
                    if all(loaded.get(f) == getattr(self, f) for f in fields):
                        continue
                constraint.validate(type(self), self, exclude=exclude, using=using)
            except ValidationError as e:
                errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


def _condition_fields(condition) -> list[str]:
    if condition is None:
        return []
    out = []
    for child in condition.children:
        if isinstance(child, Q):
            out += _condition_fields(child)
        else:
            out.append(child[0].split("__")[0])
    return out


def _after_or_open(later: str, earlier: str):
    return (
        later,
        earlier,
    ), lambda o: getattr(o, later) is None or getattr(o, earlier) is None or getattr(o, later) >= getattr(o, earlier)


def _not_self(a: str, b: str):
    return (a, b), lambda o: getattr(o, f"{a}_id") is None or getattr(o, f"{a}_id") != getattr(o, f"{b}_id")


class NodeTemplate(ChangeLoggedModel):
    """A reusable checklist (node_template): the nodes of a kind of project and how they depend on each other."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Given to a project that has no checklist yet.")
    )

    scope = Scope()

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("node template")
        verbose_name_plural = _("node templates")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="schedule_one_default_template",
                violation_error_message=_("Only one template can be the default."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TemplateNode(QuickConstraintsMixin, ChangeLoggedModel):
    """One node of a template, with its typical duration and the department usually responsible."""

    template = models.ForeignKey(
        NodeTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="nodes"
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    duration = models.PositiveIntegerField(_("duration (days)"), null=True, blank=True)
    calendar = models.CharField(_("counted in"), max_length=10, choices=CalendarKind.choices, default=CalendarKind.WORK)
    department = models.CharField(
        _("responsible department"),
        max_length=200,
        blank=True,
        help_text=_("Department name; 建设单位 means the project's enterprise."),
    )
    milestone = models.CharField(_("ledger milestone"), max_length=20, choices=Milestone.choices, blank=True)

    scope = Scope()

    class Meta:
        ordering = ["template", "order", "id"]
        verbose_name = _("template node")
        verbose_name_plural = _("template nodes")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "name"],
                name="schedule_template_node_unique_name",
                violation_error_message=_("This template already has a node with this name."),
            ),
            models.UniqueConstraint(
                fields=["template", "milestone"],
                condition=~Q(milestone=""),
                name="schedule_template_node_unique_milestone",
                violation_error_message=_("Another node of this template already stands for this milestone."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TemplateDependency(QuickConstraintsMixin, ChangeLoggedModel):
    """A link between two nodes of a template: finish-to-start or start-to-start, with a lag in days."""

    python_checks = {"schedule_template_dependency_not_self": _not_self("predecessor", "successor")}

    predecessor = models.ForeignKey(
        TemplateNode, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="successor_links"
    )
    successor = models.ForeignKey(
        TemplateNode, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="predecessor_links"
    )
    type = models.CharField(_("type"), max_length=2, choices=DependencyType.choices, default=DependencyType.FS)
    lag = models.PositiveIntegerField(_("lag (days)"), default=0)

    scope = Scope()

    class Meta:
        ordering = ["successor", "predecessor"]
        verbose_name = _("template dependency")
        verbose_name_plural = _("template dependencies")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"],
                name="schedule_template_dependency_unique",
                violation_error_message=_("These two nodes are already linked."),
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")),
                name="schedule_template_dependency_not_self",
                violation_error_message=_("A node cannot depend on itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"

    def clean(self):
        super().clean()
        if self.predecessor_id and self.successor_id and self.predecessor.template_id != self.successor.template_id:
            raise ValidationError({"successor": _("Both nodes must belong to the same template.")})


class ProjectNode(QuickConstraintsMixin, ChangeLoggedModel):
    """A node of a project's checklist (一个清单): who is responsible, how long it takes, when it happened.

    A node standing for a ledger milestone (签约, 开工, 投产, 达效) keeps no finish date of its own: the project's
    milestone date is its actual finish, so the two can never disagree.
    """

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="nodes"
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    duration = models.PositiveIntegerField(_("duration (days)"), null=True, blank=True)
    calendar = models.CharField(_("counted in"), max_length=10, choices=CalendarKind.choices, default=CalendarKind.WORK)
    responsible_unit = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="schedule_nodes",
    )
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_finish = models.DateField(_("planned finish"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_finish = models.DateField(_("actual finish"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    evidence = models.FileField(
        _("evidence"),
        upload_to="schedule/evidence/%Y/%m/",
        blank=True,
        help_text=_("A document or photo proving the node is done."),
    )
    milestone = models.CharField(_("ledger milestone"), max_length=20, choices=Milestone.choices, blank=True)

    scope = _PROJECT_SCOPE
    python_checks = {
        "schedule_node_actual_finish_after_start": _after_or_open("actual_finish", "actual_start"),
        "schedule_node_planned_finish_after_start": _after_or_open("planned_finish", "planned_start"),
        "schedule_node_milestone_date_on_project": (
            ("milestone", "actual_finish"),
            lambda o: o.milestone == "" or o.actual_finish is None,
        ),
    }

    class Meta:
        ordering = ["project", "order", "id"]
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="schedule_node_unique_name",
                violation_error_message=_("This project already has a node with this name."),
            ),
            models.UniqueConstraint(
                fields=["project", "milestone"],
                condition=~Q(milestone=""),
                name="schedule_node_unique_milestone",
                violation_error_message=_("Another node of this project already stands for this milestone."),
            ),
            models.CheckConstraint(
                condition=Q(actual_finish__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_finish__gte=F("actual_start")),
                name="schedule_node_actual_finish_after_start",
                violation_error_message=_("The actual finish cannot be before the actual start."),
            ),
            models.CheckConstraint(
                condition=Q(planned_finish__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_finish__gte=F("planned_start")),
                name="schedule_node_planned_finish_after_start",
                violation_error_message=_("The planned finish cannot be before the planned start."),
            ),
            models.CheckConstraint(
                condition=Q(milestone="") | Q(actual_finish__isnull=True),
                name="schedule_node_milestone_date_on_project",
                violation_error_message=_("A milestone node's finish is the project's milestone date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def change_scope_path(self) -> str:
        return self.project.region.path

    def _clean_snapshot(self, data: dict) -> dict:
        # The change log stores the evidence file's name, not the file object.
        data = super()._clean_snapshot(data)
        evidence = data.get("evidence")
        if evidence is not None and not isinstance(evidence, str):
            data["evidence"] = evidence.name or ""
        return data

    @property
    def finished_on(self):
        """The actual finish: the project's milestone date for a milestone node, the node's own otherwise."""
        if self.milestone:
            return getattr(self.project, self.milestone)
        return self.actual_finish


class NodeDependency(QuickConstraintsMixin, ChangeLoggedModel):
    """A link in a project's checklist: the successor waits for the predecessor (FS) or starts with it (SS)."""

    python_checks = {"schedule_node_dependency_not_self": _not_self("predecessor", "successor")}

    predecessor = models.ForeignKey(
        ProjectNode, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="successor_links"
    )
    successor = models.ForeignKey(
        ProjectNode, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="predecessor_links"
    )
    type = models.CharField(_("type"), max_length=2, choices=DependencyType.choices, default=DependencyType.FS)
    lag = models.PositiveIntegerField(_("lag (days)"), default=0)

    scope = Scope(region_path="successor__project__region__path", enterprise="successor__project__enterprise_id")

    class Meta:
        ordering = ["successor", "predecessor"]
        verbose_name = _("node dependency")
        verbose_name_plural = _("node dependencies")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"],
                name="schedule_node_dependency_unique",
                violation_error_message=_("These two nodes are already linked."),
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")),
                name="schedule_node_dependency_not_self",
                violation_error_message=_("A node cannot depend on itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"

    def change_scope_path(self) -> str:
        return self.successor.project.region.path

    def clean(self):
        super().clean()
        if self.predecessor_id and self.successor_id and self.predecessor.project_id != self.successor.project_id:
            raise ValidationError({"successor": _("Both nodes must belong to the same project.")})


class ScheduleTarget(ChangeLoggedModel):
    """The date the office schedules back from (倒排工期): e.g. 投产 no later than 31 December."""

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="schedule_target"
    )
    node = models.ForeignKey(ProjectNode, verbose_name=_("node"), on_delete=models.CASCADE, related_name="targets")
    date = models.DateField(_("target date"))
    kind = models.CharField(
        _("kind"), max_length=24, choices=TargetKind.choices, default=TargetKind.FINISH_NO_LATER_THAN
    )

    scope = _PROJECT_SCOPE

    class Meta:
        ordering = ["project"]
        verbose_name = _("schedule target")
        verbose_name_plural = _("schedule targets")

    def __str__(self) -> str:
        return f"{self.node} · {self.get_kind_display()} {self.date}"

    def change_scope_path(self) -> str:
        return self.project.region.path

    def clean(self):
        super().clean()
        if self.node_id and self.project_id and self.node.project_id != self.project_id:
            raise ValidationError({"node": _("The node must belong to this project.")})


class Baseline(ChangeLoggedModel):
    """A frozen copy of a project's schedule (e.g. 2023年初排定), to measure slippage against."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="baselines"
    )
    name = models.CharField(_("name"), max_length=100)
    as_of = models.DateField(_("scheduled as of"))

    scope = _PROJECT_SCOPE

    class Meta:
        ordering = ["project", "-created"]
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="schedule_baseline_unique_name",
                violation_error_message=_("This project already has a baseline with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def change_scope_path(self) -> str:
        return self.project.region.path


class BaselineNode(models.Model):
    """One node's dates in a baseline. Written once with its baseline (whose creation is logged), never edited."""

    baseline = models.ForeignKey(Baseline, verbose_name=_("baseline"), on_delete=models.CASCADE, related_name="nodes")
    name = models.CharField(_("node"), max_length=100)
    start = models.DateField(_("start"), null=True, blank=True)
    finish = models.DateField(_("finish"), null=True, blank=True)
    latest_finish = models.DateField(_("latest finish"), null=True, blank=True)

    class Meta:
        ordering = ["baseline", "id"]
        verbose_name = _("baseline node")
        verbose_name_plural = _("baseline nodes")
        constraints = [
            models.UniqueConstraint(
                fields=["baseline", "name"],
                name="schedule_baseline_node_unique_name",
                violation_error_message=_("This baseline already has a node with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CalendarDay(ChangeLoggedModel):
    """A day that breaks the weekend rule: a public holiday on a weekday, or a working weekend (调休)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    scope = Scope()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ScheduleSetting(ChangeLoggedModel):
    """A zone's warning thresholds (预警规则). A region without its own uses its nearest ancestor's, else the
    defaults. Red is fixed: past the latest finish and not done, or negative float."""

    region = models.OneToOneField(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="schedule_setting"
    )
    yellow_float_days = models.PositiveIntegerField(
        _("yellow when float is under (days)"), default=10, validators=[MinValueValidator(0)]
    )
    yellow_due_days = models.PositiveIntegerField(
        _("yellow when due within (days)"), default=7, validators=[MinValueValidator(0)]
    )

    scope = Scope(region_path="region__path")

    class Meta:
        ordering = ["region"]
        verbose_name = _("warning setting")
        verbose_name_plural = _("warning settings")

    def __str__(self) -> str:
        return str(self.region)

    def change_scope_path(self) -> str:
        return self.region.path


class CalendarYear(ChangeLoggedModel):
    """One year of the working-day calendar: where its holidays come from, and whether they are provisional
    (the State Council's notice for the year not yet published: the statutory days only, no 调休)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("e.g. 国办发明电〔2025〕7号"))
    provisional = models.BooleanField(
        _("provisional"),
        default=False,
        help_text=_("The year's notice is not published yet: the listed days are the statutory holidays only."),
    )

    scope = Scope()

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)
