"""Stored values, labels and badge colours for investment plans, monthly reports and forecasts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SplitMethod(models.TextChoices):
    """How an annual plan was split into twelve monthly targets."""

    EVEN = "even", _("Even")
    SEASONAL = "seasonal", _("Seasonal")
    MANUAL = "manual", _("Manual")

    @property
    def color(self) -> str:
        return {"even": "secondary", "seasonal": "azure", "manual": "purple"}[self.value]


class ReportStatus(models.TextChoices):
    """A monthly report's review state: draft → submitted → accepted, or returned → resubmitted → …

    An accepted month is read-only until the office reopens it; a reopened report is edited and submitted again.
    """

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    ACCEPTED = "accepted", _("Accepted")
    REOPENED = "reopened", _("Reopened")

    @property
    def color(self) -> str:
        return {
            "draft": "secondary",
            "submitted": "blue",
            "returned": "red",
            "resubmitted": "cyan",
            "accepted": "green",
            "reopened": "orange",
        }[self.value]


# The enterprise (or the office) may change the figures of a report in these states.
EDITABLE_STATUSES = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED, ReportStatus.REOPENED})
# Waiting for the office's review.
PENDING_STATUSES = frozenset({ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED})
# Figures that count in completion and forecasts: everything reported and not sent back.
# A draft is not reported yet; a returned report's figure is disputed until it is resubmitted.
COUNTED_STATUSES = frozenset(
    {ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED, ReportStatus.ACCEPTED, ReportStatus.REOPENED}
)


class Risk(models.TextChoices):
    """Will the project complete its annual plan? (预判)"""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")

    @property
    def color(self) -> str:
        return {"on_track": "green", "at_risk": "yellow", "off_track": "red"}[self.value]


class Flag(models.TextChoices):
    """Completion against 序时进度 (红黄绿灯), by the zone's thresholds."""

    GREEN = "green", _("On schedule")
    YELLOW = "yellow", _("Behind schedule")
    RED = "red", _("Far behind schedule")

    @property
    def color(self) -> str:
        return self.value


class GroupBy(models.TextChoices):
    BATCH = "batch", _("Batch")
    LEADER = "leader", _("Leader")
    UNIT = "unit", _("Responsible unit")
    INDUSTRY = "industry", _("Industry")
    REGION = "region", _("Region")


class ReminderKind(models.TextChoices):
    MISSING = "missing", _("Not reported")
    RETURNED = "returned", _("Returned, to correct")

    @property
    def color(self) -> str:
        return {"missing": "red", "returned": "orange"}[self.value]
