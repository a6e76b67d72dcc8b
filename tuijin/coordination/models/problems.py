"""The problem register (问题清单) and its editable categories."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel
from tuijin.core.permissions import Scope

from ..choices import (
    PROBLEM_ACTIVE_STATES,
    ProblemLevel,
    ProblemSource,
    ProblemState,
)
from .base import _today
from .meetings import AgendaItem

# ---- problems ----


class ProblemCategory(ChangeLoggedModel):
    """An editable category of the problem register (土地, 规划, 环评, 能耗, 资金, 水电气暖 …)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    scope = Scope()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")

    def __str__(self) -> str:
        return self.name


class Problem(ChangeLoggedModel):
    """An obstacle to a project (问题清单), routed to the unit that can solve it and escalated (区级 → 市级 → 省级)
    when the zone cannot. Closed (销号) only when whoever raised it confirms the solution."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="problems"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
    )
    source = models.CharField(_("raised through"), max_length=12, choices=ProblemSource.choices)
    source_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("meeting item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems_raised",
    )
    raised_by_org = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("raised by (unit)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems_raised",
    )
    raised_on = models.DateField(_("raised on"), default=_today, db_index=True)
    category = models.ForeignKey(
        ProblemCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="problems"
    )
    description = models.TextField(_("description"))
    level = models.CharField(_("level"), max_length=10, choices=ProblemLevel.choices, default=ProblemLevel.ZONE)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    escalation_note = models.TextField(_("why escalated"), blank=True)
    assigned_unit = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("assigned unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems_assigned",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ProblemState.choices, default=ProblemState.OPEN, db_index=True
    )
    solution = models.TextField(_("solution"), blank=True)
    solved_on = models.DateField(_("solved on"), null=True, blank=True)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("comment on the solution"), blank=True)

    scope = Scope(
        region_path="region__path",
        enterprise="raised_by_org_id",
        units=("assigned_unit_id", "raised_by_org_id"),
    )

    class Meta:
        ordering = ["-raised_on", "-id"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="problem_rating_1_5",
                violation_error_message=_("Rate the solution from 1 to 5."),
            )
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="problem_state_deadline_idx")]

    def __str__(self) -> str:
        return f"{self.category} · {self.description[:40]}"

    def change_scope_path(self) -> str:
        return self.region.path

    def is_overdue(self, as_of: datetime.date | None = None) -> bool:
        """Still unsolved past its deadline (derived, never stored)."""
        as_of = as_of or _today()
        return self.state in PROBLEM_ACTIVE_STATES and self.deadline is not None and self.deadline < as_of

    def clean(self):
        super().clean()
        if self.project_id and self.region_id and not self.project.region.path.startswith(self.region.path):
            raise ValidationError({"project": _("The project is not in this problem's region.")})
