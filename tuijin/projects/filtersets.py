"""One FilterSet for the ledger: the list page, the .xlsx export and the API read the same parameters,
so `?as_of=2022-12-31&batch=started&reached=started` means the same thing everywhere.

Scope: `period=N` → period N's list; else `as_of` (or `batch`/`reached`, which imply today) → the current
portfolio as of that date; with none of them → every project in the ledger.
"""

from __future__ import annotations

import datetime

import django_filters as filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.accounts.models import Leader, Organization
from tuijin.core.widgets import FastSelect
from tuijin.regions.models import Region

from .choices import Batch
from .models import Period, Project
from .selectors import MILESTONE_COUNTS, Scope, portfolio, with_batch

REACHED_CHOICES = [
    ("signed", _("Signed")),
    ("started", _("Started")),
    ("in_production", _("In production")),
    ("effective", _("Effective")),
]


class ProjectFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="search", label=_("Search"))
    as_of = filters.DateFilter(method="noop", label=_("As of"))
    period = filters.ModelChoiceFilter(
        queryset=Period.objects.all(), to_field_name="number", method="noop", label=_("Period")
    )
    batch = filters.ChoiceFilter(choices=Batch.choices, method="noop", label=_("Batch"))
    reached = filters.ChoiceFilter(choices=REACHED_CHOICES, method="noop", label=_("Milestone reached"))
    region = filters.ModelChoiceFilter(
        queryset=Region.objects.all(), to_field_name="code", method="in_region", label=_("Region")
    )
    industry = filters.CharFilter(field_name="industry", label=_("Industry"))
    leader = filters.ModelChoiceFilter(queryset=Leader.objects.all(), label=_("Leader"))
    responsible_unit = filters.ModelChoiceFilter(
        queryset=Organization.objects.filter(kind="department"), label=_("Responsible unit")
    )
    enterprise = filters.ModelChoiceFilter(
        queryset=Organization.objects.filter(kind="enterprise"), label=_("Enterprise")
    )
    investment_min = filters.NumberFilter(
        field_name="total_investment", lookup_expr="gte", label=_("Total investment from (万元)")
    )
    investment_max = filters.NumberFilter(
        field_name="total_investment", lookup_expr="lte", label=_("Total investment to (万元)")
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        for name in ("period", "region", "leader", "responsible_unit", "enterprise"):
            self.filters[name].extra["widget"] = FastSelect
        user = getattr(request, "user", None)
        if user is not None:  # choices only from what the user may see
            self.filters["region"].queryset = Region.objects.restrict(user, "view")
            self.filters["leader"].queryset = Leader.objects.restrict(user, "view")
            self.filters["responsible_unit"].queryset = Organization.objects.restrict(user, "view").filter(
                kind="department"
            )
            self.filters["enterprise"].queryset = Organization.objects.restrict(user, "view").filter(kind="enterprise")

    def noop(self, queryset, name, value):
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(code__icontains=value)
            | Q(enterprise__name__icontains=value)
            | Q(location__icontains=value)
        )

    def in_region(self, queryset, name, value):
        return queryset.filter(region__path__startswith=value.path) if value else queryset

    @property
    def scope(self) -> Scope | None:
        """The list the filters ask for, or None for the whole ledger."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        period = data.get("period")
        as_of = data.get("as_of")
        if period is None and as_of is None and not data.get("batch") and not data.get("reached"):
            return None
        return Scope(as_of=as_of or timezone.localdate(), period=period.number if period else None)

    @property
    def scope_date(self) -> datetime.date:
        scope = self.scope
        return scope.as_of if scope else timezone.localdate()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        scope = self.scope
        if scope is None:
            return with_batch(queryset, Scope(as_of=timezone.localdate()), period_number=True)
        queryset = portfolio(queryset, scope, period_number=True)
        data = self.form.cleaned_data
        if data.get("batch"):
            queryset = queryset.filter(batch=data["batch"])
        if data.get("reached"):
            queryset = queryset.filter(**{f"{MILESTONE_COUNTS[data['reached']]}__lte": scope.as_of})
        return queryset
