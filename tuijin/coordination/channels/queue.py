"""The delivery queue: fan an inbox message out to its channels, then send in a background job.

- `fan_out()` only writes Delivery rows (one per channel and event key, unique), so the request that caused the
  message never waits on, or fails because of, an SMTP server or a robot.
- `send_pending()` (the `tuijin send-notifications` command, run by cron or a systemd timer) claims due rows,
  sends them outside any transaction, and marks each sent — or schedules a retry with exponential back-off
  (`TUIJIN_NOTIFY_BACKOFF_SECONDS` × 2^(attempts−1), at most a day), giving up after
  `TUIJIN_NOTIFY_MAX_ATTEMPTS`. All state is in the database: a restart loses nothing.
- Claiming is safe with several workers: on PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED`, elsewhere a
  conditional UPDATE (`… WHERE state = 'pending'`), and the claim token is re-checked when a row is marked, so
  two workers never send the same row. A worker that dies mid-send leaves its rows claimed; after `LEASE` they
  are due again (the one case where a message may go out twice: the crash fell between sending and marking).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..choices import DeliveryState
from ..models import Channel, Delivery, Notification
from .senders import SendError, send

log = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=10)
MAX_BACKOFF = datetime.timedelta(days=1)


def channels_for(users) -> dict[int, list[Channel]]:
    """The active channels of each user: their own and their unit's. One query."""
    users = list(users)
    if not users:
        return {}
    org_ids = {u.organization_id for u in users if getattr(u, "organization_id", None)}
    found = list(
        Channel.objects.filter(active=True)
        .filter(Q(user__in=users) | Q(organization_id__in=org_ids))
        .select_related("user")
    )
    out: dict[int, list[Channel]] = {}
    for u in users:
        out[u.pk] = [
            c for c in found if c.user_id == u.pk or (c.organization_id and c.organization_id == u.organization_id)
        ]
    return out


def fan_out(notifications: Iterable[Notification], *, now: datetime.datetime | None = None) -> int:
    """Queue a Delivery for each channel of each message's user (once per channel and event key); returns how
    many rows were queued (rows already there are left alone)."""
    notifications = list(notifications)
    if not notifications:
        return 0
    now = now or timezone.now()
    users = {n.user_id: n.user for n in notifications}
    by_user = channels_for(users.values())
    rows: dict[tuple[int, str], Delivery] = {}
    for n in notifications:
        for c in by_user.get(n.user_id, []):
            rows.setdefault(
                (c.pk, n.key),
                Delivery(
                    channel=c, notification=n, key=n.key, title=n.title, body=n.body, url=n.url, next_attempt_at=now
                ),
            )
    if not rows:
        return 0
    existing = set(
        Delivery.objects.filter(channel_id__in={c for c, _k in rows}, key__in={k for _c, k in rows}).values_list(
            "channel_id", "key"
        )
    )
    new = [d for ck, d in rows.items() if ck not in existing]
    Delivery.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def backoff(attempts: int) -> datetime.timedelta:
    """The wait before the next attempt after `attempts` failed ones: base × 2^(attempts−1), at most a day."""
    base = datetime.timedelta(seconds=settings.TUIJIN_NOTIFY_BACKOFF_SECONDS)
    return min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _due_q(now: datetime.datetime) -> Q:
    return Q(state=DeliveryState.PENDING, next_attempt_at__lte=now) | Q(
        state=DeliveryState.SENDING, claimed_at__lt=now - LEASE
    )


def claim(*, limit: int = 50, now: datetime.datetime | None = None, worker: str | None = None) -> list[Delivery]:
    """Take up to `limit` due deliveries for this worker (state → sending, attempts + 1). Rows another worker
    holds are skipped, never shared."""
    now = now or timezone.now()
    token = worker or uuid.uuid4().hex
    with transaction.atomic():
        ids = _candidates(now, limit)
        if not ids:
            return []
        return _take(ids, now, token)


def _candidates(now: datetime.datetime, limit: int) -> list[int]:
    """The ids of due rows; on PostgreSQL locked (inside the caller's transaction), skipping rows another
    worker has locked."""
    due = Delivery.objects.filter(_due_q(now)).order_by("next_attempt_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    return list(due.values_list("id", flat=True)[:limit])


def _take(ids: list[int], now: datetime.datetime, token: str) -> list[Delivery]:
    """Claim those of `ids` that are still due — conditional, so a row another worker claimed since it was read
    no longer matches and is not taken — and return the ones this worker got."""
    Delivery.objects.filter(_due_q(now), id__in=ids).update(
        state=DeliveryState.SENDING, claimed_by=token, claimed_at=now, attempts=F("attempts") + 1
    )
    return list(
        Delivery.objects.filter(id__in=ids, claimed_by=token, state=DeliveryState.SENDING).select_related(
            "channel", "channel__user"
        )
    )


def _mark_sent(d: Delivery, now: datetime.datetime) -> None:
    Delivery.objects.filter(pk=d.pk, claimed_by=d.claimed_by, state=DeliveryState.SENDING).update(
        state=DeliveryState.SENT, sent_at=now, last_error="", claimed_by=""
    )


def _mark_failed(d: Delivery, error: str, now: datetime.datetime) -> bool:
    """Schedule the retry, or give up after the last attempt; True when it gave up."""
    give_up = d.attempts >= settings.TUIJIN_NOTIFY_MAX_ATTEMPTS
    Delivery.objects.filter(pk=d.pk, claimed_by=d.claimed_by, state=DeliveryState.SENDING).update(
        state=DeliveryState.FAILED if give_up else DeliveryState.PENDING,
        next_attempt_at=now if give_up else now + backoff(d.attempts),
        last_error=error[:2000],
        claimed_by="",
    )
    return give_up


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed, "errors": self.errors}


def send_pending(
    *, now: datetime.datetime | None = None, batch: int = 50, limit: int | None = None, worker: str | None = None
) -> SendResult:
    """Send every due delivery (at most `limit`), a batch at a time; a failed one is retried later."""
    result = SendResult()
    done = 0
    while limit is None or done < limit:
        fixed = now
        rows = claim(limit=batch if limit is None else min(batch, limit - done), now=fixed, worker=worker)
        if not rows:
            break
        for d in rows:
            at = fixed or timezone.now()
            try:
                send(d.channel, d.title, d.body, d.url)
            except SendError as e:
                if _mark_failed(d, str(e), at):
                    result.failed += 1
                else:
                    result.retrying += 1
                result.errors.append(f"#{d.pk} {d.channel}: {e}")
                log.warning("notification delivery %s failed (attempt %s): %s", d.pk, d.attempts, e)
            else:
                _mark_sent(d, at)
                result.sent += 1
        done += len(rows)
    return result


def retry_now(deliveries) -> int:
    """Put failed (or waiting) deliveries back in the queue, due now, with a fresh attempt count."""
    return deliveries.filter(state__in=[DeliveryState.FAILED, DeliveryState.PENDING]).update(
        state=DeliveryState.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
