"""Investment: annual plans split by month, monthly reports (月报) with photos, and each zone's settings.

The ledger's 年度计划投资 column sets a project's plan for a calendar year (the importer writes AnnualPlan.amount).
"""

from __future__ import annotations

import contextlib
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models, router, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.core.fields import MoneyField
from tuijin.core.models import ChangeLoggedModel
from tuijin.core.permissions import RestrictedQuerySet, Scope

from .choices import ReminderKind, ReportStatus, SplitMethod
from .split import DEFAULT_WEIGHTS, MONTHS, split_even

MONTH_FIELDS = [f"month_{m}" for m in MONTHS]


class AnnualPlan(ChangeLoggedModel):
    """A project's planned investment for one calendar year (万元) and its split into twelve monthly targets.

    The split lives on the plan row as twelve amount fields rather than as twelve MonthlyPlan rows, because:
    - "plan to date through month M" is then one expression on one joined row (month_1 + … + month_M), not a
      join of up to twelve rows per project: at province scale (20,000 projects × 5 years) that is 1.2 million
      rows fewer to join on every statistic;
    - a split is one decision (even, seasonal or manual): changing it writes one change record holding all
      twelve months and the amount side by side, so "who changed the March target" is answered from one record;
    - a split that no longer matches the amount (the ledger importer bulk-writes `amount` alone) is visible in
      SQL (`month_1 + … + month_12 <> amount` or NULL), so the statistics treat it as even instead of trusting
      stale months.
    The months are NULL until split; `save()` splits evenly whenever the months are missing or do not sum to the
    amount, so only bulk writers can leave a stale split (and `services.plan_ensure_split` mends it).
    """

    # Indexed as the first column of annual_plan_one_per_year: no index of its own.
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="annual_plans",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = MoneyField(_("annual planned investment (万元)"))
    split_method = models.CharField(
        _("monthly split"), max_length=10, choices=SplitMethod.choices, default=SplitMethod.EVEN
    )
    month_1 = MoneyField(_("January target"), null=True, blank=True)
    month_2 = MoneyField(_("February target"), null=True, blank=True)
    month_3 = MoneyField(_("March target"), null=True, blank=True)
    month_4 = MoneyField(_("April target"), null=True, blank=True)
    month_5 = MoneyField(_("May target"), null=True, blank=True)
    month_6 = MoneyField(_("June target"), null=True, blank=True)
    month_7 = MoneyField(_("July target"), null=True, blank=True)
    month_8 = MoneyField(_("August target"), null=True, blank=True)
    month_9 = MoneyField(_("September target"), null=True, blank=True)
    month_10 = MoneyField(_("October target"), null=True, blank=True)
    month_11 = MoneyField(_("November target"), null=True, blank=True)
    month_12 = MoneyField(_("December target"), null=True, blank=True)

    scope = Scope(region_path="project__region__path", enterprise="project__enterprise_id")

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"],
                name="annual_plan_one_per_year",
                violation_error_message=_("This project already has a plan for this year."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="annual_plan_not_negative",
                violation_error_message=_("The annual plan cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(*[Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 0}) for f in MONTH_FIELDS]),
                name="annual_plan_months_not_negative",
                violation_error_message=_("A monthly target cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.year}"

    def change_scope_path(self) -> str:
        return self.project.region.path

    @property
    def months(self) -> list | None:
        """The twelve monthly targets, or None when not split."""
        values = [getattr(self, f) for f in MONTH_FIELDS]
        return None if any(v is None for v in values) else values

    @months.setter
    def months(self, values) -> None:
        values = list(values) if values is not None else [None] * 12
        for f, v in zip(MONTH_FIELDS, values, strict=True):
            setattr(self, f, v)

    @property
    def split_is_valid(self) -> bool:
        months = self.months
        return months is not None and self.amount is not None and sum(months) == self.amount

    def effective_months(self) -> list:
        """The split the statistics use: the stored one when it is valid, else even."""
        return self.months if self.split_is_valid else split_even(self.amount or 0)

    def ensure_split(self) -> bool:
        """Split evenly when the months are missing or no longer sum to the amount; True when it changed them."""
        if self.amount is None or self.split_is_valid:
            return False
        self.months = split_even(self.amount)
        self.split_method = SplitMethod.EVEN
        return True

    def clean(self):
        super().clean()
        months = [getattr(self, f) for f in MONTH_FIELDS]
        if any(m is not None and m < 0 for m in months):
            raise ValidationError({"month_1": _("A monthly target cannot be negative.")})
        if self.amount is not None and all(m is not None for m in months) and sum(months) != self.amount:
            raise ValidationError(
                {
                    "amount": _(
                        "The twelve monthly targets add up to %(sum)s 万元, not the annual plan of %(amount)s 万元."
                    )
                    % {"sum": sum(months), "amount": self.amount}
                }
            )

    def save(self, *args, **kwargs):
        self.ensure_split()
        super().save(*args, **kwargs)


def _valid_weights(value) -> None:
    if (
        not isinstance(value, list)
        or len(value) != 12
        or not all(isinstance(w, int | float) and not isinstance(w, bool) and w >= 0 for w in value)
        or sum(value) <= 0
    ):
        raise ValidationError(_("Give twelve non-negative monthly weights, not all zero."))


def default_weights() -> list[int]:
    return list(DEFAULT_WEIGHTS)


class SeasonalProfile(ChangeLoggedModel):
    """A zone's monthly shares of a year's investment, for seasonal splits and forecasts.

    `weights` is the editable default (light in Q1, heavy in December). Once the zone has two or more complete
    years of monthly reports, `derived` holds its own shares measured from them (refreshed by
    `services.seasonal_profile_refresh`), and those are used instead.
    """

    region = models.OneToOneField(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="seasonal_profile"
    )
    weights = models.JSONField(
        _("monthly weights"),
        default=default_weights,
        validators=[_valid_weights],
        help_text=_("Twelve relative weights, January to December."),
    )
    derived = models.JSONField(_("shares measured from reports"), null=True, blank=True, editable=False)
    derived_years = models.JSONField(_("years measured"), default=list, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region_path="region__path", enterprise_only=True)

    class Meta:
        ordering = ["region"]
        verbose_name = _("seasonal profile")
        verbose_name_plural = _("seasonal profiles")

    def __str__(self) -> str:
        return f"{self.region} · {self._meta.verbose_name}"

    def change_scope_path(self) -> str:
        return self.region.path


class ReportingRule(ChangeLoggedModel):
    """A zone's reporting window and warning thresholds. A zone without one uses its nearest ancestor's, else
    the defaults: reports due by the 5th of the next month; 10–30 points behind 序时进度 yellow, more red."""

    region = models.OneToOneField(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="reporting_rule"
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day of the next month"), default=5, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    yellow_points = models.PositiveSmallIntegerField(
        _("yellow from (points behind)"), default=10, validators=[MaxValueValidator(100)]
    )
    red_points = models.PositiveSmallIntegerField(
        _("red above (points behind)"), default=30, validators=[MaxValueValidator(100)]
    )

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region_path="region__path", enterprise_only=False)

    class Meta:
        ordering = ["region"]
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(yellow_points__lte=models.F("red_points")),
                name="reporting_rule_thresholds_ordered",
                violation_error_message=_("The yellow threshold cannot exceed the red one."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self._meta.verbose_name}"

    def change_scope_path(self) -> str:
        return self.region.path

    def due_date(self, year: int, month: int) -> datetime.date:
        """The last day to report month `month` of `year` on time: `due_day` of the next month."""
        return due_date(year, month, self.due_day)


def due_date(year: int, month: int, due_day: int) -> datetime.date:
    y, m = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime.date(y, m, due_day)


def _in_transaction(using: str):
    """The caller's transaction when there is one (adding no statement, and leaving its error handling as it is),
    else a transaction of its own."""
    return contextlib.nullcontext() if connections[using].in_atomic_block else transaction.atomic(using=using)


class ReportQuerySet(RestrictedQuerySet):
    """Reports, with the bulk writes that bypass `MonthlyReport.save()` (update, bulk_create, bulk_update,
    delete) refreshing the statistics' summary of the project-years they touched, in their transaction.
    core.bulk's writers (executemany / COPY) bypass this too: their callers call `summary.refresh_reported`."""

    def _pairs(self) -> set:
        return set(self.order_by().values_list("project_id", "year").distinct())

    def update(self, **kwargs):
        from .summary import refresh_reported

        with _in_transaction(self.db):
            pairs = self._pairs()
            rows = super().update(**kwargs)
            if {"project", "project_id", "year"} & set(kwargs):  # moved: their new project-years too
                pairs |= {
                    (kwargs.get("project_id", getattr(kwargs.get("project"), "pk", pid)), kwargs.get("year", year))
                    for pid, year in pairs
                }
            refresh_reported(pairs=pairs, using=self.db)
        return rows

    update.alters_data = True

    def delete(self):
        from .summary import refresh_reported

        with _in_transaction(self.db):
            pairs = self._pairs()
            result = super().delete()
            refresh_reported(pairs=pairs, using=self.db)
        return result

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_create(self, objs, *args, **kwargs):
        from .summary import refresh_reported

        with _in_transaction(self.db):
            objs = super().bulk_create(objs, *args, **kwargs)
            refresh_reported(pairs={(o.project_id, o.year) for o in objs}, using=self.db)
        return objs

    def bulk_update(self, objs, fields, *args, **kwargs):
        from .summary import refresh_reported

        objs = list(objs)
        with _in_transaction(self.db):
            rows = super().bulk_update(objs, fields, *args, **kwargs)
            refresh_reported(pairs={(o.project_id, o.year) for o in objs}, using=self.db)
        return rows


class MonthlyReport(ChangeLoggedModel):
    """What a project invested in one month (月报), with its progress, photos and review state.

    One report per project-month: a second report for the same month edits this one (the change log keeps the
    history). Cumulative figures (this year, since start) are never stored: `selectors.report_cumulative`.
    """

    # Indexed as the first column of monthly_report_one_per_month: no index of its own.
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="monthly_reports",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    invested = MoneyField(_("invested this month (万元)"))
    progress_note = models.TextField(_("progress (形象进度)"), blank=True)
    workers = models.PositiveIntegerField(_("workers on site"), null=True, blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)
    # Indexed by monthly_report_status_idx (a plain B-tree: no PostgreSQL LIKE index for a code).
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False, help_text=_("First submitted after the reporting window."))
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    review_opinion = models.TextField(_("reviewer's opinion"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # read through its report, never looked up by reviewer: no index to keep per report
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()
    scope = Scope(region_path="project__region__path", enterprise="project__enterprise_id")

    class Meta:
        ordering = ["project", "year", "month"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "month"],
                name="monthly_report_one_per_month",
                violation_error_message=_("This project already has a report for this month."),
            ),
            models.CheckConstraint(
                condition=Q(invested__gte=0),
                name="monthly_report_invested_not_negative",
                violation_error_message=_("The amount invested cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="monthly_report_month_1_12",
                violation_error_message=_("The month must be 1 to 12."),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "month", "status"], name="monthly_report_period_idx"),
            models.Index(fields=["status"], name="monthly_report_status_idx"),  # the review queue
            # No covering index over a year's figures: the statistics read ReportedYear, and every index here is
            # paid by each report a dispatch import writes (bench/RESULTS.md).
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.year}-{self.month:02d}"

    def change_scope_path(self) -> str:
        return self.project.region.path

    def save(self, *args, **kwargs):
        from .summary import refresh_reported

        using = kwargs.get("using") or router.db_for_write(MonthlyReport, instance=self)
        # The statistics read the counted months from ReportedYear: kept right in the same transaction (a report's
        # project and year never change: one report per project-month, edited in place).
        with _in_transaction(using):
            super().save(*args, **kwargs)
            refresh_reported(pairs=[(self.project_id, self.year)], using=using)

    def delete(self, *args, **kwargs):
        from .summary import refresh_reported

        using = kwargs.get("using") or router.db_for_write(MonthlyReport, instance=self)
        with _in_transaction(using):
            pair = (self.project_id, self.year)
            result = super().delete(*args, **kwargs)
            refresh_reported(pairs=[pair], using=using)
        return result


class ReportedYear(models.Model):
    """A project's counted reported investment of one calendar year, month by month (万元): the sum of its
    reports in choices.COUNTED_STATUSES (and, beside, of all its reports: `total_any_state`), kept by
    `summary.refresh_reported` in the transaction of every write to the reports (MonthlyReport.save/delete,
    ReportQuerySet's bulk writes, and core.bulk's callers explicitly).

    Derived, never edited: the statistics (`selectors._grouped_sql`) read "invested through month M" as one
    expression on one row per project (month_1 + … + month_M), as AnnualPlan keeps the plan's months, instead of
    summing a year's reports (at province scale 240,000 rows a year, the statistics' own cost). A month without a
    counted report is 0; a project-year whose reports are no longer counted keeps a row of zeros.
    """

    # Indexed as the first column of reported_year_one_per_year: no index of its own.
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="reported_years",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month_1 = MoneyField(_("January"), default=0)
    month_2 = MoneyField(_("February"), default=0)
    month_3 = MoneyField(_("March"), default=0)
    month_4 = MoneyField(_("April"), default=0)
    month_5 = MoneyField(_("May"), default=0)
    month_6 = MoneyField(_("June"), default=0)
    month_7 = MoneyField(_("July"), default=0)
    month_8 = MoneyField(_("August"), default=0)
    month_9 = MoneyField(_("September"), default=0)
    month_10 = MoneyField(_("October"), default=0)
    month_11 = MoneyField(_("November"), default=0)
    month_12 = MoneyField(_("December"), default=0)
    # The year's reports in any state (drafts and returned ones too): what the total-investment check adds up
    # for the years around the one being written (a dispatch import reads 4 rows a project, not 48 reports).
    total_any_state = MoneyField(_("reported in any state"), default=0)

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("reported investment of a year")
        verbose_name_plural = _("reported investment by year")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="reported_year_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.year}"

    @property
    def months(self) -> list:
        return [getattr(self, f) for f in MONTH_FIELDS]


def photo_path(instance, filename: str) -> str:
    return f"reports/{instance.report.year}/{instance.report.month:02d}/{filename}"


class ReportPhoto(ChangeLoggedModel):
    """A site photo on a monthly report (up to nine): re-encoded without EXIF/metadata, with a thumbnail."""

    report = models.ForeignKey(
        MonthlyReport, verbose_name=_("monthly report"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), upload_to=photo_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size (bytes)"))

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region_path="report__project__region__path", enterprise="report__project__enterprise_id")

    class Meta:
        ordering = ["report", "id"]
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")

    def __str__(self) -> str:
        return self.original_name or self.image.name

    def change_scope_path(self) -> str:
        return self.report.project.region.path


class ReportReminder(models.Model):
    """A report a project owes (missing after the window, or returned to correct), kept by the daily
    `tuijin remind-reports`. Enterprise users see their open ones; the office sees who has not reported."""

    # Indexed as the first column of report_reminder_unique: no index of its own.
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="report_reminders",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    due_on = models.DateField(_("due on"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region_path="project__region__path", enterprise="project__enterprise_id")

    class Meta:
        ordering = ["-year", "-month", "project"]
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "month", "kind"], name="report_reminder_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.year}-{self.month:02d} · {self.get_kind_display()}"
