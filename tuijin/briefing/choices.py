"""Stored values, labels and badge colours for briefings."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BriefingKind(models.TextChoices):
    """A briefing series: each kind is numbered on its own per zone and year (〔2022〕第11期)."""

    MONTHLY = "monthly", _("Monthly briefing")
    WEEKLY = "weekly", _("Weekly briefing")

    @property
    def color(self) -> str:
        return {"monthly": "blue", "weekly": "teal"}[self.value]


class BriefingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")

    @property
    def color(self) -> str:
        return {"draft": "orange", "published": "green"}[self.value]
