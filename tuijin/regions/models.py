"""Regions: province > city > county/zone, with official codes. A user sees the subtree of their region."""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel
from tuijin.core.permissions import Scope

from .choices import RegionLevel

LEVEL_BY_DEPTH = [RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY]


def name_key(name: str) -> str:
    """How names are matched: NFKC (full-width → half-width), no spaces."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


class Region(ChangeLoggedModel):
    """A node of the region tree. `path` is the chain of codes from the root ("/41/4101/410171/")."""

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z]{2,12}$", _("Use the official code: 2 to 12 letters or digits."))],
        help_text=_("Official administrative division code, e.g. 410171."),
    )
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices, editable=False)
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)

    scope = Scope(region_path="path")

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="region_unique_name_in_parent",
                violation_error_message=_("A region with this name already exists under the same parent."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def change_scope_path(self) -> str:
        return self.path

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def clean(self):
        super().clean()
        if self.parent_id:
            if self.pk and (self.parent_id == self.pk or self.parent.path.startswith(self.path or "\0")):
                raise ValidationError({"parent": _("A region cannot be placed under itself or its own subregion.")})
            if self.parent.depth >= len(LEVEL_BY_DEPTH):
                raise ValidationError({"parent": _("Regions go three levels deep: province, city, county/zone.")})

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        self.level = LEVEL_BY_DEPTH[min(self.path.count("/") - 2, len(LEVEL_BY_DEPTH) - 1)]
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                for child in Region.objects.filter(path__startswith=old_path).exclude(pk=self.pk).order_by("path"):
                    child.save()

    def subtree(self):
        return Region.objects.filter(path__startswith=self.path)

    def ancestors(self) -> list["Region"]:
        codes = [c for c in self.path.strip("/").split("/")][:-1]
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]
