"""Shared by the coordination models."""

import datetime

from django.utils import timezone


def _today() -> datetime.date:
    """Today in the zone's time zone: the default date of a task's assignment and a problem's raising."""
    return timezone.localdate()
