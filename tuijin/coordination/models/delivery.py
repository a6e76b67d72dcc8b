"""Channels beyond the inbox (email, WeCom and DingTalk group robots) and the deliveries queued to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel

from ..choices import ChannelKind, DeliveryState
from ..masking import mask_address, mask_secret


class Channel(ChangeLoggedModel):
    """Where a unit's or a user's notifications go besides the inbox. Exactly one of `organization` and `user`.

    - email: `address` (blank on a user's channel = the user's own email address);
    - wecom: `address` is the robot's webhook URL (…/cgi-bin/webhook/send?key=…);
    - dingtalk: `address` is the robot's webhook URL (…/robot/send?access_token=…) and `secret` its signing
      secret (SEC…), when the robot is set to "加签".
    """

    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_channels",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_channels",
    )
    address = models.CharField(_("address"), max_length=500, blank=True)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        constraints = [
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(user__isnull=True))
                | (Q(organization__isnull=True) & Q(user__isnull=False)),
                name="channel_unit_or_user",
            ),
        ]

    def __str__(self) -> str:
        owner = self.organization or self.user
        return f"{self.get_kind_display()} · {owner}"

    def change_scope_path(self) -> str:
        owner = self.organization if self.organization_id else self.user
        region = getattr(owner, "region", None)
        return region.path if region is not None else ""

    def _clean_snapshot(self, data: dict) -> dict:
        """The change log records who set up which channel, never a robot's key or signing secret."""
        data = super()._clean_snapshot(data)
        if data.get("address"):
            data["address"] = mask_address(data["address"])
        if data.get("secret"):
            data["secret"] = mask_secret(data["secret"])
        return data

    def recipient(self) -> str:
        """The email address or webhook URL this channel sends to ('' when there is none)."""
        if self.kind == ChannelKind.EMAIL and not self.address and self.user_id:
            return self.user.email or ""
        return self.address


class Delivery(models.Model):
    """One message to one channel. (channel, key) is unique: an event reaches a channel once, however many of
    the unit's users it was for and however often the service that raised it runs. The sender claims pending
    rows, sends, and marks them sent — or schedules a retry with exponential back-off until it gives up."""

    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="deliveries")
    notification = models.ForeignKey(
        "coordination.Notification",
        verbose_name=_("notification"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    key = models.CharField(_("event"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_by = models.CharField(_("claimed by"), max_length=40, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["channel", "key"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.channel} · {self.title}"
