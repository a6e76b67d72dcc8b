"""The campaign ledger: periods, projects and their listings in the three batches."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tuijin.core.fields import MoneyField
from tuijin.core.models import ChangeLoggedModel
from tuijin.core.permissions import RestrictedQuerySet, Scope
from tuijin.regions.models import name_key

from .choices import MILESTONES, Batch, ListingAction, Stage
from .numerals import period_name


class Period(ChangeLoggedModel):
    """A campaign round (期次): 第N期 held on a date. Numbers and dates run in the same order."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True, validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=50, blank=True)
    date = models.DateField(_("date"))

    scope = Scope()

    class Meta:
        ordering = ["number"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")

    def __str__(self) -> str:
        return self.name or period_name(self.number)

    def clean(self):
        super().clean()
        if self.number is None or self.date is None:
            return
        others = Period.objects.exclude(pk=self.pk)
        earlier = others.filter(number__lt=self.number, date__gte=self.date).order_by("-number").first()
        later = others.filter(number__gt=self.number, date__lte=self.date).order_by("number").first()
        clash = earlier or later
        if clash:
            raise ValidationError(
                {
                    "date": _(
                        "%(this)s must fall after earlier periods and before later ones: %(other)s is on %(date)s."
                    )
                    % {"this": period_name(self.number), "other": clash, "date": clash.date}
                }
            )

    def save(self, *args, **kwargs):
        if not self.name:
            self.name = period_name(self.number)
        super().save(*args, **kwargs)


class ProjectQuerySet(RestrictedQuerySet):
    def in_region(self, region):
        return self.filter(region__path__startswith=region.path) if region else self


class Project(ChangeLoggedModel):
    """A key project in the ledger (项目台账), with its lifecycle milestones."""

    code = models.CharField(
        _("project code"),
        max_length=40,
        unique=True,
        blank=True,
        help_text=_("Stable code; assigned automatically when left empty."),
    )
    name = models.CharField(_("project name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False)
    # Indexed as the first column of project_unique_name_in_region: its own index would only slow the writes.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="projects", db_index=False
    )
    enterprise = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="projects",
        limit_choices_to={"kind": "enterprise"},
    )
    industry = models.CharField(_("industry"), max_length=50, blank=True, db_index=True)
    nature = models.CharField(
        _("construction type"), max_length=20, blank=True, help_text=_("新建, 扩建, 改建, 技改 …")
    )
    content = models.TextField(_("content and scale"), blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    total_investment = MoneyField(_("total investment (万元)"))

    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    planned_started_on = models.DateField(_("planned start"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    planned_production_on = models.DateField(_("planned production"), null=True, blank=True)
    production_on = models.DateField(_("in production on"), null=True, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)

    leader = models.ForeignKey(
        "accounts.Leader",
        verbose_name=_("responsible leader"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    responsible_unit = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_for",
        limit_choices_to={"kind": "department"},
    )
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ProjectQuerySet.as_manager()
    scope = Scope(region_path="region__path", enterprise="enterprise_id")

    class Meta:
        ordering = ["code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name_key"],
                name="project_unique_name_in_region",
                violation_error_message=_("A project with this name already exists in this region."),
            ),
            models.CheckConstraint(
                condition=Q(total_investment__gte=0),
                name="project_total_investment_not_negative",
                violation_error_message=_("Total investment cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", args=[self.pk])

    def change_scope_path(self) -> str:
        return self.region.path

    def clean(self):
        super().clean()
        self.name_key = name_key(self.name)  # so that validate_constraints sees a duplicate name
        errors = {}
        if self.total_investment is not None and self.total_investment < 0:
            errors["total_investment"] = _("Total investment cannot be negative.")
        if self.enterprise_id and self.enterprise.kind != "enterprise":
            errors["enterprise"] = _("Choose an enterprise, not a department.")
        dated = [(f, getattr(self, f)) for f, _stage in MILESTONES if getattr(self, f)]
        for (f1, d1), (f2, d2) in zip(dated, dated[1:], strict=False):
            if d2 < d1:
                errors[f2] = _("%(later)s (%(d2)s) cannot be before %(earlier)s (%(d1)s).") % {
                    "later": self._meta.get_field(f2).verbose_name,
                    "d2": d2,
                    "earlier": self._meta.get_field(f1).verbose_name,
                    "d1": d1,
                }
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.name = self.name.strip()
        self.name_key = name_key(self.name)
        if not self.code:
            self.code = next_project_codes(self.region, 1)[0]
        super().save(*args, **kwargs)

    def stage_on(self, day: datetime.date | None = None) -> Stage:
        day = day or datetime.date.today()
        stage = Stage.RESERVE
        for field, milestone_stage in MILESTONES:
            value = getattr(self, field)
            if value and value <= day:
                stage = milestone_stage
        return stage

    @property
    def stage(self) -> Stage:
        return self.stage_on()


def next_project_codes(region, count: int) -> list[str]:
    """`count` fresh codes for new projects in `region`: {region code}-{sequence}."""
    prefix = f"{region.code}-"
    existing = Project.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    top = max((int(c[len(prefix) :]) for c in existing if c[len(prefix) :].isdigit()), default=0)
    return [f"{prefix}{top + i:05d}" for i in range(1, count + 1)]


class Listing(ChangeLoggedModel):
    """A project's entry in one period's list: listed, converted from another batch, or removed (调出)."""

    # Indexed as the first column of listing_one_per_project_period and listing_chain_idx: no index of its own.
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="listings", db_index=False
    )
    # Keyed by the period number, so "latest listing up to period N" needs no join.
    period = models.ForeignKey(
        Period,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        to_field="number",
        db_column="period_number",
        related_name="listings",
        # No index of its own: the unique (project, period) index serves every lookup, and an index led by the
        # period tempts SQLite into reading listings in period order, far slower for the portfolio join.
        db_index=False,
    )
    batch = models.CharField(_("batch"), max_length=12, choices=Batch.choices)
    action = models.CharField(
        _("adjustment"), max_length=10, choices=ListingAction.choices, default=ListingAction.LISTED
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # The number of the period of the project's next listing (NULL: this is its latest). Derived with the action in
    # services.derive_listing_chain; it makes "the listing current as of period N" a range test instead of a
    # correlated subquery: period <= N and (next_period is NULL or next_period > N).
    next_period = models.PositiveSmallIntegerField(_("next listing's period"), null=True, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region_path="project__region__path", enterprise="project__enterprise_id")
    _changelog_ignore = ("created", "last_updated", "next_period")

    class Meta:
        ordering = ["project", "period"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period"],
                name="listing_one_per_project_period",
                violation_error_message=_("This project is already on this period's list."),
            )
        ]
        indexes = [
            models.Index(fields=["project", "period", "next_period"], name="listing_chain_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.period_id} · {self.get_batch_display()}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        relink_listings(self.project_id)

    def delete(self, *args, **kwargs):
        project_id = self.project_id
        result = super().delete(*args, **kwargs)
        relink_listings(project_id)
        return result

    def change_scope_path(self) -> str:
        return self.project.region.path


def relink_listings(project_id: int) -> None:
    """Keep `next_period` true for one project, whichever door a listing came in by (bulk writers that bypass
    save() set it themselves through services.derive_listing_chain). It is derived, so it is not change-logged."""
    listings = list(
        Listing.objects.filter(project_id=project_id)
        .order_by("period_id")
        .values_list("pk", "period_id", "next_period")
    )
    for i, (pk, _period, current) in enumerate(listings):
        wanted = listings[i + 1][1] if i + 1 < len(listings) else None
        if current != wanted:
            Listing.objects.filter(pk=pk).update(next_period=wanted)
