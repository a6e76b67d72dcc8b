"""The in-app inbox: who hears about what, written once per user and event.

Each message carries an event `key` (e.g. "task:12:assigned", "step:40"); the (user, key) pair is unique, so a
service or the ladder run twice never puts the same message in an inbox twice. Each new message is also queued
(`channels.queue.fan_out`) for the user's and their unit's email and group-robot channels; the background job
`tuijin send-notifications` sends those.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from tuijin.accounts.choices import Role

from .models import Notification


def unit_users(org_ids: Iterable[int | None]):
    """The active users of these units."""
    ids = [i for i in org_ids if i]
    return get_user_model().objects.filter(organization_id__in=ids, is_active=True)


def office_users(region):
    """The project office (admin users) of this region itself."""
    return get_user_model().objects.filter(role=Role.ADMIN, region=region, is_active=True)


def leaders_of(region):
    """Leader users whose region covers this one (the zone's leaders and those above it)."""
    codes = region.path.strip("/").split("/")
    return get_user_model().objects.filter(role=Role.LEADER, region__code__in=codes, is_active=True)


def notify(users, *, kind: str, key: str, title: str, body: str = "", url: str = "", new_event: bool = False) -> int:
    """Put a message in each user's inbox unless it is there already (same key); returns how many were new.
    `new_event`: the key names a row just created (e.g. a supervision step), so no inbox can hold it yet."""
    users = list({u.pk: u for u in users if u is not None}.values())
    if not users:
        return 0
    have = (
        set()
        if new_event
        else set(Notification.objects.filter(key=key, user__in=users).values_list("user_id", flat=True))
    )
    new = [
        Notification(user=u, kind=kind, key=key[:100], title=title[:200], body=body, url=url)
        for u in users
        if u.pk not in have
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        _queue_deliveries(key[:100], [n.user for n in new])
    return len(new)


def _queue_deliveries(key: str, users: list) -> None:
    """Queue the new messages for the users' email and robot channels (rows only: sending is the background
    job's, so a dead SMTP server or robot never fails or slows the request that raised the message)."""
    from .channels.queue import channels_for, fan_out

    if not any(channels_for(users).values()):
        return
    fan_out(Notification.objects.filter(key=key, user__in=users).select_related("user"))


def inbox(user, *, unread_only: bool = False):
    qs = Notification.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's messages read (all of them when `ids` is None); only their own are touched."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(Q(pk__in=list(ids)))
    return qs.update(read_at=timezone.now())
