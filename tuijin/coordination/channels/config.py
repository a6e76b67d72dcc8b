"""Setting up a unit's or a user's channels (the `tuijin channels` command; pages may call the same)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from ..choices import ChannelKind
from ..masking import mask_address, mask_secret  # noqa: F401 - pages and the command import them from here
from ..models import Channel
from .senders import SendError, send


def channel_add(*, kind: str, organization=None, user=None, address: str = "", secret: str = "") -> Channel:
    """Add a channel for a unit or a user; ValidationError (nothing written) when it could not work."""
    errors: dict[str, str] = {}
    address, secret = address.strip(), secret.strip()
    if kind not in ChannelKind.values:
        errors["kind"] = _("Choose email, wecom or dingtalk.")
    if (organization is None) == (user is None):
        errors["owner"] = _("A channel belongs to one unit or one user.")
    if kind == ChannelKind.EMAIL:
        if address:
            try:
                EmailValidator()(address)
            except ValidationError:
                errors["address"] = _("Not an email address: %(value)s") % {"value": address}
        elif user is None:
            errors["address"] = _("A unit's email channel needs an address.")
        elif not user.email:
            errors["address"] = _("%(user)s has no email address: give one.") % {"user": user}
        if secret:
            errors["secret"] = _("Only a DingTalk robot has a signing secret.")
    elif kind in (ChannelKind.WECOM, ChannelKind.DINGTALK):
        try:
            URLValidator(schemes=["http", "https"])(address)
        except ValidationError:
            errors["address"] = _("Give the robot's webhook URL (https://…).")
        if kind == ChannelKind.WECOM and secret:
            errors["secret"] = _("Only a DingTalk robot has a signing secret.")
    if errors:
        raise ValidationError(errors)
    return Channel.objects.create(kind=kind, organization=organization, user=user, address=address, secret=secret)


def channel_test(channel: Channel) -> str:
    """Send a test message now (not through the queue); returns '' when it went out, else the error."""
    try:
        send(channel, _("tuijin test message"), _("This channel works."), "")
    except SendError as e:
        return str(e)
    return ""
