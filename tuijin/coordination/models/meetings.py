"""Meetings (周例会, 专题会, 现场办公会), their attendees, agenda items and outcomes."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel
from tuijin.core.permissions import Scope

from ..choices import (
    Attendance,
    MeetingKind,
    OutcomeKind,
)

# ---- meetings ----


class Meeting(ChangeLoggedModel):
    """A coordination meeting: the weekly key-project meeting (周例会), a special one (专题会) or an on-site one
    (现场办公会). Numbered per zone, kind and year (〔2023〕第12期)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices, default=MeetingKind.WEEKLY)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.CharField(_("chair"), max_length=100, blank=True)

    scope = Scope(region_path="region__path", enterprise_only=True)

    class Meta:
        ordering = ["-date", "-number"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "year", "number"],
                name="meeting_unique_number",
                violation_error_message=_("This zone already has a meeting of this kind with this number this year."),
            )
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()}〔{self.year}〕第{self.number}期"

    @property
    def number_label(self) -> str:
        return f"〔{self.year}〕第{self.number}期"

    def change_scope_path(self) -> str:
        return self.region.path

    def save(self, *args, **kwargs):
        self.year = self.date.year
        super().save(*args, **kwargs)


class MeetingAttendee(ChangeLoggedModel):
    """A person (and their unit) invited to a meeting, with their attendance."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("name"), max_length=100, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_attendances",
    )
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.PRESENT
    )

    scope = Scope(region_path="meeting__region__path", enterprise_only=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name="") | Q(organization__isnull=False),
                name="attendee_person_or_unit",
                violation_error_message=_("Give the attendee's name or unit."),
            )
        ]

    def __str__(self) -> str:
        return " · ".join(str(x) for x in (self.organization, self.name) if x)

    def change_scope_path(self) -> str:
        return self.meeting.region.path


class AgendaItem(ChangeLoggedModel):
    """One item on a meeting's agenda: a project or a topic, in order, with its presenter. `carried_over`: not
    settled, to be taken up again at the next meeting (the backlog); `carried_from` links the item it continues."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    presenter = models.CharField(_("presenter"), max_length=100, blank=True)
    carried_over = models.BooleanField(_("carried over to the next meeting"), default=False)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("continues"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
    )

    scope = Scope(region_path="meeting__region__path", enterprise_only=True)

    class Meta:
        ordering = ["meeting", "order", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False) | ~Q(topic=""),
                name="agenda_item_project_or_topic",
                violation_error_message=_("An agenda item needs a project or a topic."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.order}. {self.topic or self.project}"

    def change_scope_path(self) -> str:
        return self.meeting.region.path


class Outcome(ChangeLoggedModel):
    """What an agenda item ended in: information, a decision (text), or a task (linked once assigned)."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=OutcomeKind.choices)
    text = models.TextField(_("text"))
    task = models.OneToOneField(
        "Task", verbose_name=_("task"), on_delete=models.SET_NULL, null=True, blank=True, related_name="outcome"
    )

    scope = Scope(region_path="item__meeting__region__path", enterprise_only=True)

    class Meta:
        ordering = ["item", "id"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"

    def change_scope_path(self) -> str:
        return self.item.meeting.region.path
