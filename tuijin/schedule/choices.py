"""Stored values, labels and badge colours for schedules."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import cpm


class CalendarKind(models.TextChoices):
    """How a node's duration counts: working days (approvals) or calendar days (construction)."""

    WORK = cpm.WORK, _("Working days")
    CALENDAR = cpm.CALENDAR, _("Calendar days")


class DependencyType(models.TextChoices):
    FS = cpm.FS, _("Finish to start")
    SS = cpm.SS, _("Start to start")


class TargetKind(models.TextChoices):
    MUST_FINISH_ON = cpm.MUST_FINISH_ON, _("Must finish on")
    FINISH_NO_LATER_THAN = cpm.FINISH_NO_LATER_THAN, _("Finish no later than")


class Milestone(models.TextChoices):
    """The ledger milestone a node stands for: the node's actual finish IS the project's date."""

    SIGNED = "signed_on", _("Signed")
    STARTED = "started_on", _("Construction started")
    PRODUCTION = "production_on", _("In production")
    EFFECTIVE = "effective_on", _("Effective")


class Level(models.TextChoices):
    """Warning level of a node or a project (预警)."""

    RED = cpm.RED, _("Red")
    YELLOW = cpm.YELLOW, _("Yellow")
    GREEN = cpm.GREEN, _("Green")
    DONE = cpm.DONE, _("Done")

    @property
    def color(self) -> str:
        return {"red": "red", "yellow": "yellow", "green": "green", "done": "secondary"}[self.value]
