"""The in-app inbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import (
    NotificationKind,
)

# ---- the inbox ----


class Notification(models.Model):
    """A message in a user's in-app inbox. `key` makes a message at most once per user (the ladder and the
    services name each event, so re-running them never sends it twice)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    key = models.CharField(_("event"), max_length=100)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return self.title
