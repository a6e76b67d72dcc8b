"""People and organisations: users with a role and a region scope, organisations, leaders, API tokens."""

import datetime
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel
from tuijin.core.permissions import RestrictedQuerySet, Scope
from tuijin.regions.models import name_key

from .choices import OrganizationKind, Role


class Organization(ChangeLoggedModel):
    """A project office, a department (a responsible unit) or an enterprise (建设单位)."""

    kind = models.CharField(_("kind"), max_length=12, choices=OrganizationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="organizations"
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)

    scope = Scope(region_path="region__path", enterprise="pk")

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name_key"],
                name="organization_unique_name",
                violation_error_message=_("An organisation of this kind with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def change_scope_path(self) -> str:
        return self.region.path

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)


class Leader(ChangeLoggedModel):
    """包联领导: the leader answerable for a project ("一个项目、一名领导")."""

    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=100, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="leaders"
    )
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leader",
    )

    scope = Scope(region_path="region__path")

    class Meta:
        ordering = ["name"]
        verbose_name = _("leader")
        verbose_name_plural = _("leaders")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="leader_unique_name_in_region",
                violation_error_message=_("A leader with this name already exists in this region."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def change_scope_path(self) -> str:
        return self.region.path


class TuijinUserManager(UserManager.from_queryset(RestrictedQuerySet)):
    pass


class User(AbstractUser):
    """A person signing in: a role, a region whose subtree they see, and their organisation."""

    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.VIEWER)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    display_name = models.CharField(_("display name"), max_length=50, blank=True)

    objects = TuijinUserManager()
    scope = Scope(region_path="region__path", enterprise_only=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class LoginFailure(models.Model):
    """Failed sign-ins per user name: too many in a row lock the name for a while."""

    username = models.CharField(max_length=150, unique=True)
    count = models.PositiveIntegerField(default=0)
    last_failure = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")

    def __str__(self) -> str:
        return f"{self.username} ×{self.count}"


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class APIToken(models.Model):
    """A token for integrations (Authorization: Bearer …). Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    # How stale `last_used` may be: it tells the office whether a token is still in use, not each request.
    LAST_USED_EVERY = datetime.timedelta(seconds=60)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple["APIToken", str]:
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=_hash_token(key), prefix=key[:8])
        return token, key

    @classmethod
    def authenticate(cls, key: str, *, now: datetime.datetime | None = None) -> User | None:
        """The active user of an unexpired token with this key, else None. `last_used` is written at most once a
        minute per token (`LAST_USED_EVERY`): an integration's burst of requests is not an UPDATE each."""
        now = now or timezone.now()
        token = cls.objects.select_related("user", "user__region").filter(key_hash=_hash_token(key)).first()
        if token is None or not token.user.is_active:
            return None
        if token.expires and token.expires < now:
            return None
        if token.last_used is None or now - token.last_used >= cls.LAST_USED_EVERY:
            cls.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now
        return token.user
