"""Notification channel settings (通知渠道): the project office sets up the email addresses and the WeCom / DingTalk
group robots of the units in its region; every user sets up their own (an email address, a personal robot). The same
`channels.config` functions as `tuijin channels` add and test a channel; each channel shows its last delivery from
the queue (sent, or failed with the error).

Adding, switching and removing a channel is on record in the change log, its robot key and signing secret masked."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuijin.accounts.choices import Role
from tuijin.accounts.models import Organization
from tuijin.core.htmx import is_htmx
from tuijin.core.permissions import Action

from ..channels.config import channel_add, channel_test, mask_address, mask_secret
from ..choices import ChannelKind, DeliveryState
from ..forms_channels import ChannelForm
from ..models import Channel, Delivery
from .common import refused


def is_office(user) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def managed_units(user):
    """The units whose channels this user manages: the office's region's organisations; nobody else's."""
    if not is_office(user):
        return Organization.objects.none()
    return Organization.objects.restrict(user, Action.CHANGE).order_by("kind", "name")


def visible_channels(user):
    """The user's own channels, the units' they manage, and (read-only) their own unit's."""
    q = Q(user=user) | Q(organization__in=managed_units(user))
    if user.organization_id:
        q |= Q(organization_id=user.organization_id)
    # from the delivery queue: the last message that went out, the last failure (with its error) and what waits
    failed = Delivery.objects.filter(channel=OuterRef("pk")).exclude(last_error="").order_by("-id")
    sent = Delivery.objects.filter(channel=OuterRef("pk"), state=DeliveryState.SENT).order_by("-sent_at", "-id")
    waiting = (
        Delivery.objects.filter(channel=OuterRef("pk"), state__in=[DeliveryState.PENDING, DeliveryState.SENDING])
        .order_by()
        .values("channel")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Channel.objects.filter(q)
        .select_related("organization", "user")
        .annotate(
            last_sent_at=Subquery(sent.values("sent_at")[:1]),
            failure_state=Subquery(failed.values("state")[:1]),
            failure_error=Subquery(failed.values("last_error")[:1]),
            failure_attempts=Subquery(failed.values("attempts")[:1]),
            failure_at=Subquery(failed.values("claimed_at")[:1]),
            waiting=Coalesce(Subquery(waiting), 0),
        )
        .order_by("organization__name", "user__username", "kind", "id")
    )


def may_manage(user, channel: Channel) -> bool:
    if channel.user_id is not None:
        return channel.user_id == user.pk
    return managed_units(user).filter(pk=channel.organization_id).exists()


def _row(user, c: Channel) -> dict:
    return {
        "channel": c,
        "owner": c.organization or c.user,
        "address": mask_address(c.recipient()),
        "own_email": c.kind == ChannelKind.EMAIL and not c.address,
        "secret": mask_secret(c.secret) if c.secret else "",
        "may_manage": may_manage(user, c),
        # a failure still matters when nothing went out after it
        "failure": bool(c.failure_state)
        and not (c.last_sent_at and c.failure_at and c.last_sent_at > c.failure_at)
        and c.failure_state != DeliveryState.SENT,
    }


def _context(request, form=None) -> dict:
    user = request.user
    units = list(managed_units(user))
    rows = [_row(user, c) for c in visible_channels(user)]
    return {
        "form": form or ChannelForm(user=user, units=units),
        "mine": [r for r in rows if r["channel"].user_id == user.pk],
        "units": [r for r in rows if r["channel"].organization_id is not None],
        "office": is_office(user),
    }


@login_required
@require_GET
def channel_list(request):
    return render(request, "coordination/channel_list.html", _context(request))


@login_required
@require_POST
def channel_add_view(request):
    user = request.user
    form = ChannelForm(request.POST, user=user, units=list(managed_units(user)))
    if form.is_valid():
        organization, mine = form.owner_of()
        d = form.cleaned_data
        try:
            channel = channel_add(
                kind=d["kind"],
                organization=organization,
                user=user if mine else None,
                address=d["address"],
                secret=d["secret"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Channel added: %(channel)s.") % {"channel": channel})
            return redirect("coordination:channels")
    form.mark_invalid()
    return render(request, "coordination/channel_list.html", _context(request, form))


def _managed(request, pk: int) -> Channel:
    """A channel the user sees (else 404) and may manage (else 403)."""
    channel = get_object_or_404(visible_channels(request.user), pk=pk)
    if not may_manage(request.user, channel):
        raise PermissionDenied(_("Only the project office manages a unit's channels."))
    return channel


@login_required
@require_POST
def channel_test_view(request, pk: int):
    try:
        channel = _managed(request, pk)
    except PermissionDenied as exc:
        return refused(request, exc)
    error = channel_test(channel)
    if is_htmx(request):
        return render(request, "coordination/_channel_test_result.html", {"error": error, "channel": channel})
    if error:
        messages.error(request, _("The test message failed: %(error)s") % {"error": error})
    else:
        messages.success(request, _("The test message went out."))
    return redirect("coordination:channels")


@login_required
@require_POST
def channel_toggle(request, pk: int):
    try:
        channel = _managed(request, pk)
    except PermissionDenied as exc:
        return refused(request, exc)
    channel.active = not channel.active
    channel.save(update_fields=["active"])
    done = _("Channel switched on: %(channel)s.") if channel.active else _("Channel switched off: %(channel)s.")
    messages.success(request, done % {"channel": channel})
    return redirect("coordination:channels")


@login_required
@require_POST
def channel_delete(request, pk: int):
    try:
        channel = _managed(request, pk)
    except PermissionDenied as exc:
        return refused(request, exc)
    name = str(channel)
    channel.delete()
    messages.success(request, _("Channel removed: %(channel)s.") % {"channel": name})
    return redirect("coordination:channels")
