"""The dashboard: the campaign's figures as of a date, each a link to the ledger rows behind it.

Every figure comes from the selectors over `Project.objects.restrict(user, "view")`, the same reads as
`tuijin stats` and the API, and every link carries ProjectFilterSet parameters that select exactly those rows.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tuijin.core.fields import CENT
from tuijin.core.permissions import Action
from tuijin.regions.models import Region

from ..choices import Batch
from ..filtersets import REACHED_CHOICES
from ..models import Period, Project
from ..selectors import Scope, breakdown, by_period, campaign_rates, campaign_stats, lifecycle_funnel

TEN_THOUSAND = Decimal(10000)
# Which milestones matter most for each batch card (the others are still listed, smaller).
BATCH_MILESTONES = {
    Batch.SIGNED: ("signed", "started"),
    Batch.STARTED: ("started", "in_production"),
    Batch.PRODUCTION: ("in_production", "effective"),
}
MAX_INDUSTRIES = 12


class DashboardForm(forms.Form):
    as_of = forms.DateField(
        label=gettext_lazy("As of"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}),
    )
    period = forms.ModelChoiceField(
        queryset=Period.objects.all(),
        to_field_name="number",
        required=False,
        label=gettext_lazy("List"),
        empty_label=gettext_lazy("Current portfolio"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    region = forms.ModelChoiceField(
        queryset=Region.objects.none(),
        to_field_name="code",
        required=False,
        label=gettext_lazy("Region"),
        empty_label=gettext_lazy("All my regions"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.restrict(user, Action.VIEW)
        self.fields["period"].label_from_instance = lambda p: f"{p} · {p.date:%Y-%m-%d}"
        self.fields["region"].label_from_instance = lambda r: ("　" * max(0, r.depth - 1)) + r.name


def yi(amount: Decimal) -> str:
    """万元 → 亿元 with two decimals, as text (charts get exact decimal strings, never floats)."""
    return str((Decimal(amount or 0) / TEN_THOUSAND).quantize(CENT))


class LedgerLinks:
    """URLs of the ledger (ProjectFilterSet parameters) for the dashboard's scope."""

    def __init__(self, scope: Scope, region: Region | None):
        self.base = {
            "as_of": scope.as_of.isoformat(),
            "period": scope.period,
            "region": region.code if region else None,
        }

    def __call__(self, **extra) -> str:
        params = {k: v for k, v in {**self.base, **extra}.items() if v not in (None, "")}
        return f"{reverse('projects:project_list')}?{urlencode(params)}"


def _cards(stats: dict, link: LedgerLinks) -> list[dict]:
    labels = dict(REACHED_CHOICES)
    cards = []
    for batch in Batch:
        fig = stats["batches"][batch.value]
        key_milestones = BATCH_MILESTONES[batch]
        cards.append(
            {
                "key": batch.value,
                "label": batch.label,
                "color": batch.color,
                "figures": fig,
                "url": link(batch=batch.value),
                "milestones": [
                    {
                        "key": k,
                        "label": labels[k],
                        "count": fig[k],
                        "url": link(batch=batch.value, reached=k),
                        "main": k in key_milestones,
                    }
                    for k, _label in REACHED_CHOICES
                ],
            }
        )
    return cards


def _rates(stats: dict, link: LedgerLinks) -> list[dict]:
    rates = campaign_rates(stats)
    b = stats["batches"]
    return [
        {
            "label": _("Start rate"),
            "help": _("Start batch: started ÷ listed"),
            "value": rates["start_rate"],
            "part": b["started"]["started"],
            "whole": b["started"]["count"],
            "color": Batch.STARTED.color,
            "url": link(batch="started", reached="started"),
            "whole_url": link(batch="started"),
        },
        {
            "label": _("Production rate"),
            "help": _("Commission batch: in production ÷ listed"),
            "value": rates["production_rate"],
            "part": b["production"]["in_production"],
            "whole": b["production"]["count"],
            "color": Batch.PRODUCTION.color,
            "url": link(batch="production", reached="in_production"),
            "whole_url": link(batch="production"),
        },
        {
            "label": _("Effective rate"),
            "help": _("Commission batch: effective ÷ in production"),
            "value": rates["effective_rate"],
            "part": b["production"]["effective"],
            "whole": b["production"]["in_production"],
            "color": "teal",
            "url": link(batch="production", reached="effective"),
            "whole_url": link(batch="production", reached="in_production"),
        },
    ]


def _charts(qs, scope: Scope, link: LedgerLinks) -> dict:
    """Chart data for dashboard.js: labels, values (investment as exact 亿元 strings) and a ledger URL per bar."""
    labels = dict(REACHED_CHOICES)
    funnel = [
        {
            "name": _("Listed") if key == "listed" else str(labels[key]),
            "value": count,
            "url": link() if key == "listed" else link(reached=key),
        }
        for key, count in lifecycle_funnel(qs, scope)
    ]

    periods = [p for p in by_period(qs) if p["period"].date <= scope.as_of]
    period_chart = {
        "categories": [str(p["period"]) for p in periods],
        "series": [
            {
                "key": b.value,
                "name": str(b.label),
                "color": b.color,
                "data": [
                    {
                        "value": p["batches"].get(b.value, {}).get("count", 0),
                        "url": link(period=p["period"].number, batch=b.value),
                    }
                    for p in periods
                ],
            }
            for b in Batch
        ],
        "investment": {
            "name": _("Total investment (亿元)"),
            "data": [
                {
                    "value": yi(sum((v["total_investment"] or 0 for v in p["batches"].values()), Decimal(0))),
                    "url": link(period=p["period"].number),
                }
                for p in periods
            ],
        },
    }

    rows = breakdown(qs, scope, "industry")
    top, rest = rows[:MAX_INDUSTRIES], rows[MAX_INDUSTRIES:]
    industries = [
        {
            "name": r["key"] or _("Not filled in"),
            "value": r["count"],
            "investment": yi(r["total_investment"]),
            "url": link(industry=r["key"]) if r["key"] else None,
        }
        for r in top
    ]
    if rest:
        industries.append(
            {
                "name": _("Others"),
                "value": sum(r["count"] for r in rest),
                "investment": yi(sum((r["total_investment"] for r in rest), Decimal(0))),
                "url": None,
            }
        )
    return {
        "funnel": funnel,
        "periods": period_chart,
        "industries": {
            "data": list(reversed(industries)),
            "count_name": _("Projects"),
            "investment_name": _("Total investment (亿元)"),
        },
        "labels": {"projects": _("Projects"), "yi": _("亿元"), "click": _("Click a bar to open its projects")},
    }


@login_required
@require_GET
def dashboard(request):
    form = DashboardForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    as_of = data.get("as_of") or timezone.localdate()
    period, region = data.get("period"), data.get("region")
    scope = Scope(as_of=as_of, period=period.number if period else None)
    if not form.is_bound:
        form = DashboardForm(initial={"as_of": as_of}, user=request.user)

    qs = Project.objects.restrict(request.user, Action.VIEW).in_region(region)
    link = LedgerLinks(scope, region)
    stats = campaign_stats(qs, scope)
    context = {
        "form": form,
        "scope": scope,
        "period": period,
        "region": region,
        "cards": _cards(stats, link),
        "total": {"figures": stats["total"], "url": link()},
        "rates": _rates(stats, link),
        "charts": _charts(qs, scope, link),
        "stats": stats,
        "has_periods": Period.objects.exists(),
    }
    from tuijin.investment.views.reporting import dashboard_reporting  # monthly reports owed / missing

    context.update(dashboard_reporting(request.user))
    from tuijin.coordination.views.home import dashboard_todo  # a department's nearest to-dos

    context.update(dashboard_todo(request.user))
    return render(request, "projects/dashboard.html", context)
