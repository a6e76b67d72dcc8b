from django.db import models
from django.utils.translation import gettext_lazy as _


class Batch(models.TextChoices):
    """The three batches of 三个一批."""

    SIGNED = "signed", _("Sign batch")
    STARTED = "started", _("Start batch")
    PRODUCTION = "production", _("Commission batch")

    @property
    def color(self) -> str:
        return {"signed": "azure", "started": "orange", "production": "green"}[self.value]

    @property
    def short(self) -> str:
        return {"signed": _("Signed"), "started": _("Start"), "production": _("Commission")}[self.value]


class ListingAction(models.TextChoices):
    LISTED = "listed", _("Listed")
    CONVERTED = "converted", _("Converted")
    REMOVED = "removed", _("Removed")

    @property
    def color(self) -> str:
        return {"listed": "blue", "converted": "purple", "removed": "red"}[self.value]


class Stage(models.TextChoices):
    """Lifecycle stage, derived from the milestone dates reached."""

    RESERVE = "reserve", _("Reserve")
    SIGNED = "signed", _("Signed")
    STARTED = "started", _("Under construction")
    PRODUCTION = "production", _("In production")
    EFFECTIVE = "effective", _("Effective")

    @property
    def color(self) -> str:
        return {
            "reserve": "secondary",
            "signed": "azure",
            "started": "orange",
            "production": "green",
            "effective": "teal",
        }[self.value]


# Milestone field -> the stage it opens, in lifecycle order.
MILESTONES = [
    ("signed_on", Stage.SIGNED),
    ("started_on", Stage.STARTED),
    ("production_on", Stage.PRODUCTION),
    ("effective_on", Stage.EFFECTIVE),
]
