"""The supervision ladder's zone rules, steps and numbered letters (两函一单)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel
from tuijin.core.permissions import Scope

from ..choices import (
    LetterKind,
    SupervisionLevel,
)
from .problems import Problem
from .tasks import Task

# ---- supervision ----


class SupervisionRule(ChangeLoggedModel):
    """A zone's supervision ladder, in calendar days around the deadline (a zone without one uses its nearest
    ancestor's, else the defaults: 提醒 3 days before, 催办 on the deadline, 督办 7 days and 通报 15 days overdue).
    A letter's reply is due `reply_working_days` working days after it is issued."""

    region = models.OneToOneField(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="supervision_rule"
    )
    reminder_days_before = models.PositiveSmallIntegerField(_("reminder, days before the deadline"), default=3)
    urge_days_after = models.PositiveSmallIntegerField(_("urging, days after the deadline"), default=0)
    supervise_days_after = models.PositiveSmallIntegerField(_("supervision, days after the deadline"), default=7)
    notice_days_after = models.PositiveSmallIntegerField(_("public notice, days after the deadline"), default=15)
    reply_working_days = models.PositiveSmallIntegerField(
        _("reply due within (working days)"), default=5, validators=[MinValueValidator(1)]
    )

    scope = Scope(region_path="region__path", enterprise_only=True)

    class Meta:
        ordering = ["region"]
        verbose_name = _("supervision rule")
        verbose_name_plural = _("supervision rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(urge_days_after__lt=models.F("supervise_days_after"))
                & Q(supervise_days_after__lt=models.F("notice_days_after")),
                name="supervision_rule_ordered",
                violation_error_message=_("Urging must come before supervision, and supervision before notice."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self._meta.verbose_name}"

    def change_scope_path(self) -> str:
        return self.region.path

    def due_on(self, level: str, deadline: datetime.date) -> datetime.date:
        """The calendar day on which `level` falls due for an item with this deadline."""
        offset = {
            SupervisionLevel.REMINDER: -self.reminder_days_before,
            SupervisionLevel.URGE: self.urge_days_after,
            SupervisionLevel.SUPERVISE: self.supervise_days_after,
            SupervisionLevel.NOTICE: self.notice_days_after,
        }[level]
        return deadline + datetime.timedelta(days=offset)


class SupervisionLetter(ChangeLoggedModel):
    """A formal letter (两函一单: 交办函, 提醒函, 督办函), numbered per zone, kind and year — 项目督办〔2023〕012号 —
    with a reply deadline; the unit's reply is recorded."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="supervision_letters"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=LetterKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"), validators=[MinValueValidator(1)])
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, null=True, blank=True, related_name="letters"
    )
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, null=True, blank=True, related_name="letters"
    )
    to_unit = models.ForeignKey(
        "accounts.Organization", verbose_name=_("addressed to"), on_delete=models.PROTECT, related_name="letters"
    )
    issued_on = models.DateField(_("issued on"))
    reply_deadline = models.DateField(_("reply due by"))
    reply = models.TextField(_("reply"), blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    scope = Scope(region_path="region__path", enterprise_only=True, units=("to_unit_id",))

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("supervision letter")
        verbose_name_plural = _("supervision letters")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "year", "number"],
                name="letter_unique_number",
                violation_error_message=_("A letter with this number already exists."),
            ),
            models.CheckConstraint(
                condition=Q(task__isnull=False, problem__isnull=True) | Q(task__isnull=True, problem__isnull=False),
                name="letter_task_or_problem",
                violation_error_message=_("A letter concerns one task or one problem."),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """项目督办〔2023〕012号."""
        return f"{LetterKind(self.kind).word}〔{self.year}〕{self.number:03d}号"

    def change_scope_path(self) -> str:
        return self.region.path


class SupervisionStep(ChangeLoggedModel):
    """One rung of the ladder taken for a task or a problem against the deadline it had then. At most one per
    item, level and deadline: the daily run is idempotent, and an extended deadline starts the ladder afresh."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, null=True, blank=True, related_name="supervision"
    )
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, null=True, blank=True, related_name="supervision"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="supervision_steps"
    )
    unit = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_steps",
    )
    level = models.CharField(_("level"), max_length=10, choices=SupervisionLevel.choices)
    deadline = models.DateField(_("deadline"))
    taken_on = models.DateField(_("taken on"))
    days_overdue = models.IntegerField(_("days overdue"), help_text=_("Negative: days left before the deadline."))
    letter = models.OneToOneField(
        SupervisionLetter,
        verbose_name=_("letter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="step",
    )

    scope = Scope(region_path="region__path", enterprise_only=True, units=("unit_id",))

    class Meta:
        ordering = ["-taken_on", "-id"]
        verbose_name = _("supervision step")
        verbose_name_plural = _("supervision steps")
        constraints = [
            models.CheckConstraint(
                condition=Q(task__isnull=False, problem__isnull=True) | Q(task__isnull=True, problem__isnull=False),
                name="supervision_step_task_or_problem",
                violation_error_message=_("A supervision step concerns one task or one problem."),
            ),
            models.UniqueConstraint(
                fields=["task", "level", "deadline"],
                condition=Q(task__isnull=False),
                name="supervision_step_once_per_task",
            ),
            models.UniqueConstraint(
                fields=["problem", "level", "deadline"],
                condition=Q(problem__isnull=False),
                name="supervision_step_once_per_problem",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.task or self.problem}"

    def change_scope_path(self) -> str:
        return self.region.path
