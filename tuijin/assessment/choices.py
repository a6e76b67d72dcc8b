"""Stored values, labels and badge colours for assessment schemes, periods, scores and the red and black lists."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    """Who is scored: the responsible units (责任单位), the leaders (包联领导) or the regions below the chosen one."""

    UNITS = "units", _("Responsible units")
    LEADERS = "leaders", _("Leaders")
    REGIONS = "regions", _("Regions")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class AssessmentState(models.TextChoices):
    """draft (computed, may be recomputed and adjusted) → published (read-only; corrections need a new version)."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")

    @property
    def color(self) -> str:
        return {"draft": "secondary", "published": "green"}[self.value]


class RuleType(models.TextChoices):
    """How an indicator's value becomes points (rules.py)."""

    LINEAR = "linear", _("Linear between thresholds")
    PER_ITEM = "per_item", _("Points per item")
    RANK = "rank", _("Points by rank")
    VETO = "veto", _("Veto")


class ListMark(models.TextChoices):
    """红黑榜: the top N and the bottom N of a ranking."""

    RED = "red", _("Red list")
    BLACK = "black", _("Black list")

    @property
    def color(self) -> str:
        return {"red": "red", "black": "dark"}[self.value]
