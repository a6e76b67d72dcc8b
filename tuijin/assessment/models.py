"""Assessment (督查考核): schemes as data (versions of indicators with weights, formulas and scoring rules), the
periods they score, each run's scores broken down by indicator, and the bonus and penalty points entered by hand.

A scheme version is frozen once an assessment using it is published: its indicators can no longer change, and a
correction is a new version with a reason. A published assessment is read-only.

Scores and their items are derived (recomputed from tuijin's data and the scheme, replaced wholesale while the
assessment is a draft): they are written in bulk and not change-logged one by one; the assessment row records
who computed and who published it, and the adjustments people enter are change-logged.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel
from tuijin.core.permissions import RestrictedQuerySet, Scope

from .choices import AssessmentState, ListMark, PeriodKind, RuleType, SubjectKind
from .periods import period_label

POINTS = {"max_digits": 8, "decimal_places": 2}


class Scheme(ChangeLoggedModel):
    """An assessment scheme (考核办法) by its short name (`province`, `zone-monthly`): who it scores and how many
    of them make the red and black lists. Its indicators live in versions."""

    name = models.SlugField(_("short name"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200)
    subject_kind = models.CharField(_("scores"), max_length=10, choices=SubjectKind.choices)
    period_kind = models.CharField(_("usual period"), max_length=10, choices=PeriodKind.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("owner region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessment_schemes",
        help_text=_("Whose office maintains it; empty for the schemes tuijin ships."),
    )
    red_list_size = models.PositiveSmallIntegerField(_("red list size"), default=3)
    black_list_size = models.PositiveSmallIntegerField(_("black list size"), default=3)

    scope = Scope(enterprise_only=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")

    def __str__(self) -> str:
        return self.title

    def change_scope_path(self) -> str:
        return self.region.path if self.region_id else ""

    def current_version(self) -> SchemeVersion | None:
        return self.versions.order_by("-number").first()


class SchemeVersion(ChangeLoggedModel):
    """One version of a scheme's indicators. Frozen once an assessment using it is published."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"), validators=[MinValueValidator(1)])
    reason = models.TextField(_("reason for this version"), blank=True)
    frozen = models.BooleanField(_("frozen"), default=False)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)

    scope = Scope(enterprise_only=True)

    class Meta:
        ordering = ["scheme", "number"]
        verbose_name = _("scheme version")
        verbose_name_plural = _("scheme versions")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "number"],
                name="assessment_version_unique",
                violation_error_message=_("This scheme already has a version with this number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme} v{self.number}"

    def change_scope_path(self) -> str:
        return self.scheme.change_scope_path()

    def clean(self):
        super().clean()
        if self.number and self.number > 1 and not (self.reason or "").strip():
            raise ValidationError({"reason": _("Say why this new version is needed.")})

    @property
    def total_weight(self):
        return sum((i.weight for i in self.indicators.all()), start=0)


class FrozenVersionError(ValidationError):
    pass


def _refuse_if_frozen(version: SchemeVersion) -> None:
    if SchemeVersion.objects.filter(pk=version.pk, frozen=True).exists():
        raise FrozenVersionError(
            _("%(version)s is frozen: a published assessment uses it. Make a new version to change its indicators.")
            % {"version": version}
        )


class Indicator(ChangeLoggedModel):
    """An indicator of a scheme version: its weight in points, the formula over tuijin's data (formulas.py, by key,
    with parameters) and the scoring rule (rules.py: linear, per item, by rank, veto, with parameters)."""

    version = models.ForeignKey(
        SchemeVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("indicator"), max_length=200)
    group = models.CharField(_("group"), max_length=50, blank=True, help_text=_("e.g. 签约落地"))
    weight = models.DecimalField(_("weight (points)"), validators=[MinValueValidator(0)], **POINTS)
    formula = models.CharField(_("formula"), max_length=40)
    formula_params = models.JSONField(_("formula parameters"), default=dict, blank=True)
    rule = models.CharField(_("scoring rule"), max_length=10, choices=RuleType.choices)
    rule_params = models.JSONField(_("rule parameters"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    scope = Scope(enterprise_only=True)

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="assessment_indicator_unique_code",
                violation_error_message=_("This version already has an indicator with this code."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    def change_scope_path(self) -> str:
        return self.version.change_scope_path()

    def clean(self):
        super().clean()
        from . import formulas, rules

        errors = {}
        spec = formulas.REGISTRY.get(self.formula)
        if spec is None:
            errors["formula"] = _("No formula “%(key)s”.") % {"key": self.formula}
        else:
            try:
                self.formula_params = spec.check_params(self.formula_params)
            except ValidationError as e:
                errors["formula_params"] = e.messages
        if self.weight is not None and self.rule:
            try:
                self.rule_params = rules.check_params(self.rule, self.rule_params, self.weight)
            except ValidationError as e:
                errors["rule_params"] = e.messages
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.version_id:
            _refuse_if_frozen(self.version)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_frozen(self.version)
        return super().delete(*args, **kwargs)


class AssessmentPeriod(ChangeLoggedModel):
    """A month, quarter or year to score, by key (`2022-11`, `2022-Q4`, `2022`)."""

    kind = models.CharField(_("kind"), max_length=10, choices=PeriodKind.choices)
    key = models.CharField(_("key"), max_length=10, unique=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))

    scope = Scope(enterprise_only=True)

    class Meta:
        ordering = ["-start", "kind"]
        verbose_name = _("assessment period")
        verbose_name_plural = _("assessment periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="assessment_period_ordered",
                violation_error_message=_("The period cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return period_label(self.kind, self.start)


class Assessment(ChangeLoggedModel):
    """One scoring run: a scheme version × a period × the subjects (units, leaders, regions) of a region."""

    version = models.ForeignKey(
        SchemeVersion, verbose_name=_("scheme version"), on_delete=models.PROTECT, related_name="assessments"
    )
    period = models.ForeignKey(
        AssessmentPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="assessments"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="assessments"
    )
    subject_kind = models.CharField(_("subjects"), max_length=10, choices=SubjectKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=AssessmentState.choices, default=AssessmentState.DRAFT, db_index=True
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    scope = Scope(region_path="region__path", enterprise_only=True)

    class Meta:
        ordering = ["-period__start", "version__scheme__name", "region__path"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "period", "region", "subject_kind"],
                name="assessment_one_per_version_period",
                violation_error_message=_("This version already has an assessment of these subjects for this period."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.version.scheme} · {self.period} · {self.region}"

    def change_scope_path(self) -> str:
        return self.region.path

    @property
    def is_published(self) -> bool:
        return self.state == AssessmentState.PUBLISHED

    def delete(self, *args, **kwargs):
        if Assessment.objects.filter(pk=self.pk, state=AssessmentState.PUBLISHED).exists():
            raise ValidationError(_("A published assessment is read-only."))
        return super().delete(*args, **kwargs)


class Score(models.Model):
    """A subject's score in an assessment: indicator points, adjustments, total, rank and list mark (derived)."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="scores"
    )
    subject_key = models.CharField(_("subject key"), max_length=40)
    subject_label = models.CharField(_("subject"), max_length=200)
    base = models.DecimalField(_("indicator points"), **POINTS)
    adjustment = models.DecimalField(_("bonus and penalty points"), **POINTS)
    total = models.DecimalField(_("score"), **POINTS)
    rank = models.PositiveIntegerField(_("rank"))
    mark = models.CharField(_("list"), max_length=5, choices=ListMark.choices, blank=True)
    vetoed = models.BooleanField(_("vetoed"), default=False)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region_path="assessment__region__path", enterprise_only=True)

    class Meta:
        ordering = ["assessment", "rank", "subject_label"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "subject_key"], name="assessment_score_one_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} {self.total}"


class ScoreItem(models.Model):
    """An indicator's value and points for one subject, with the numbers behind them (`numbers`: numerator,
    denominator, sums, and the ids of the projects, tasks, problems or nodes counted)."""

    score = models.ForeignKey(Score, verbose_name=_("score"), on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, null=True, blank=True)
    points = models.DecimalField(_("points"), **POINTS)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    numbers = models.JSONField(_("numbers behind it"), default=dict)

    class Meta:
        ordering = ["score", "id"]
        verbose_name = _("score item")
        verbose_name_plural = _("score items")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.points}"


class Adjustment(ChangeLoggedModel):
    """Bonus or penalty points (加分/扣分) entered by hand for a subject, with the reason; or a veto (一票否决)
    for something no formula sees (a safety accident, falsified figures)."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="adjustments"
    )
    subject_key = models.CharField(_("subject key"), max_length=40)
    subject_label = models.CharField(_("subject"), max_length=200)
    points = models.DecimalField(_("points (+/−)"), **POINTS)
    veto = models.BooleanField(_("veto"), default=False)
    reason = models.TextField(_("reason"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    scope = Scope(region_path="assessment__region__path", enterprise_only=True)

    class Meta:
        ordering = ["assessment", "id"]
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")

    def __str__(self) -> str:
        return f"{self.subject_label} {self.points:+}"

    def change_scope_path(self) -> str:
        return self.assessment.region.path

    def _refuse_if_published(self) -> None:
        if Assessment.objects.filter(pk=self.assessment_id, state=AssessmentState.PUBLISHED).exists():
            raise ValidationError(_("A published assessment is read-only: no more adjustments."))

    def save(self, *args, **kwargs):
        self._refuse_if_published()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_published()
        return super().delete(*args, **kwargs)
