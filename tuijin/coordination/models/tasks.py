"""Tasks (交办事项), their cooperating units, notes (with attachments) and extension requests."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel
from tuijin.core.permissions import Scope

from ..choices import (
    ExtensionState,
    NoteKind,
    TaskSource,
    TaskState,
)
from .base import _today
from .meetings import AgendaItem
from .problems import Problem

# ---- tasks ----


class Task(ChangeLoggedModel):
    """A task (交办事项): content, lead unit (牵头单位) and cooperating units (配合单位), responsible person and a
    deadline, assigned by a user; chased until the assigner closes it. Overdue is derived from the deadline.

    `done_on` is the date of the standing done-report (cleared when sent back); a task is closed on time when that
    date is on or before its deadline (the deadline after any granted extension)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="tasks"
    )
    source = models.CharField(_("source"), max_length=12, choices=TaskSource.choices, default=TaskSource.AD_HOC)
    source_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("meeting item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    source_problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    instructed_by = models.ForeignKey(
        "accounts.Leader",
        verbose_name=_("instructed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
    )
    content = models.TextField(_("content"))
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    lead_unit = models.ForeignKey(
        "accounts.Organization", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="tasks_led"
    )
    cooperating_units = models.ManyToManyField(
        "accounts.Organization",
        verbose_name=_("cooperating units"),
        through="TaskCooperation",
        related_name="tasks_cooperating",
        blank=True,
    )
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    assigned_on = models.DateField(_("assigned on"), default=_today, db_index=True)
    deadline = models.DateField(_("deadline"))
    original_deadline = models.DateField(_("original deadline"), editable=False)
    assigner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="tasks_assigned",
    )
    state = models.CharField(
        _("state"), max_length=14, choices=TaskState.choices, default=TaskState.ASSIGNED, db_index=True
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    done_on = models.DateField(_("reported done on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, db_index=True)
    sent_back_count = models.PositiveSmallIntegerField(_("times sent back"), default=0)

    scope = Scope(
        region_path="region__path", enterprise_only=True, units=("lead_unit_id", "cooperations__organization_id")
    )

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("assigned_on")),
                name="task_deadline_after_assignment",
                violation_error_message=_("The deadline cannot be before the day the task is assigned."),
            )
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="task_state_deadline_idx")]

    def __str__(self) -> str:
        return self.content[:60]

    def change_scope_path(self) -> str:
        return self.region.path

    def is_overdue(self, as_of: datetime.date | None = None) -> bool:
        """Past its deadline and neither closed nor reported done by the deadline (derived, never stored)."""
        as_of = as_of or _today()
        if self.state == TaskState.CLOSED or self.deadline >= as_of:
            return False
        return not (self.done_on is not None and self.done_on <= self.deadline)

    def days_overdue(self, as_of: datetime.date | None = None) -> int:
        as_of = as_of or _today()
        return (as_of - self.deadline).days if self.is_overdue(as_of) else 0

    @property
    def closed_on_time(self) -> bool:
        return self.state == TaskState.CLOSED and self.done_on is not None and self.done_on <= self.deadline

    def save(self, *args, **kwargs):
        if self.original_deadline is None:
            self.original_deadline = self.deadline
        super().save(*args, **kwargs)


class TaskCooperation(ChangeLoggedModel):
    """A cooperating unit (配合单位) of a task (an audited row, so adding or removing one is on record)."""

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="cooperations")
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )

    scope = Scope(region_path="task__region__path", enterprise_only=True)

    class Meta:
        ordering = ["task", "id"]
        verbose_name = _("cooperating unit")
        verbose_name_plural = _("cooperating units")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "organization"],
                name="task_cooperation_unique",
                violation_error_message=_("This unit already cooperates on the task."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.organization}"

    def change_scope_path(self) -> str:
        return self.task.region.path


def attachment_path(instance, filename: str) -> str:
    return f"tasks/{instance.task_id}/{filename}"


class TaskNote(ChangeLoggedModel):
    """A line of a task's history: a progress note, the done-report (evidence), or the assigner's opinion when
    sending it back or closing it; optionally with a file (kept through Django's storage)."""

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=10, choices=NoteKind.choices, default=NoteKind.PROGRESS)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("text"))
    attachment = models.FileField(_("attachment"), upload_to=attachment_path, max_length=200, blank=True)
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)

    scope = Scope(
        region_path="task__region__path",
        enterprise_only=True,
        units=("task__lead_unit_id", "task__cooperations__organization_id"),
    )

    class Meta:
        ordering = ["task", "created", "id"]
        verbose_name = _("task note")
        verbose_name_plural = _("task notes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"

    def change_scope_path(self) -> str:
        return self.task.region.path


class ExtensionRequest(ChangeLoggedModel):
    """The lead unit asks for a later deadline; the assigner (or the office) grants or refuses it."""

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    current_deadline = models.DateField(_("deadline when asked"))
    new_deadline = models.DateField(_("deadline asked for"))
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)

    scope = Scope(
        region_path="task__region__path",
        enterprise_only=True,
        units=("task__lead_unit_id", "task__cooperations__organization_id"),
    )

    class Meta:
        ordering = ["task", "id"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(new_deadline__gt=models.F("current_deadline")),
                name="extension_later_deadline",
                violation_error_message=_("The new deadline must be later than the current one."),
            ),
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(state="pending"),
                name="extension_one_pending_per_task",
                violation_error_message=_("This task already has an extension request waiting for a decision."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.new_deadline}"

    def change_scope_path(self) -> str:
        return self.task.region.path
