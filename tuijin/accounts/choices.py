from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Same stored values as core.permissions.Role, with the labels users see."""

    ADMIN = "admin", _("Project office")
    LEADER = "leader", _("Leader")
    DEPARTMENT = "department", _("Department")
    ENTERPRISE = "enterprise", _("Enterprise")
    VIEWER = "viewer", _("Viewer")


class OrganizationKind(models.TextChoices):
    OFFICE = "office", _("Project office")
    DEPARTMENT = "department", _("Department")
    ENTERPRISE = "enterprise", _("Enterprise")
