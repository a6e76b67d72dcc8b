"""Lock-out after repeated failed sign-ins (per user name), as a government system's security rules ask.

After settings.LOGIN_MAX_FAILURES failures in a row the name is locked for settings.LOGIN_LOCKOUT_MINUTES:
during the lock-out even the right password is refused. A successful sign-in clears the count; failures older
than the lock-out window no longer count.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import LoginFailure


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def _window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def locked_until(username: str) -> datetime.datetime | None:
    """When the lock-out of this user name ends, or None when it may sign in."""
    row = LoginFailure.objects.filter(username=_key(username)).first()
    if row and row.locked_until and row.locked_until > timezone.now():
        return row.locked_until
    return None


def record_failure(username: str) -> LoginFailure:
    """Count a failed sign-in; lock the name when it reaches the limit."""
    now = timezone.now()
    with transaction.atomic():
        row, _created = LoginFailure.objects.select_for_update().get_or_create(username=_key(username))
        expired_lock = row.locked_until is not None and row.locked_until <= now
        if expired_lock or now - row.last_failure > _window():
            row.count, row.locked_until = 0, None
        row.count += 1
        row.last_failure = now
        if row.count >= settings.LOGIN_MAX_FAILURES:
            row.locked_until = now + _window()
        row.save()
    return row


def attempts_left(row: LoginFailure) -> int:
    return max(0, settings.LOGIN_MAX_FAILURES - row.count)


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=_key(username)).delete()
