"""Forms of the project office's investment pages: the dashboard's and the review queue's filters, the review
actions (return with an opinion, reopen with a reason) and a project's annual plan with its monthly split.

The forms only parse input; the rules (a split sums exactly, an opinion is required …) are the services', whose
ValidationErrors come back onto these forms' fields.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tuijin.core.permissions import Action
from tuijin.regions.models import Region

from .choices import GroupBy, ReportStatus, SplitMethod


def _month_label(m: int) -> str:
    return gettext("Month %(m)s") % {"m": m}


month_label = lazy(_month_label, str)
MONTH_CHOICES = [(m, month_label(m)) for m in range(1, 13)]


def _select(**attrs):
    return forms.Select(attrs={"class": "form-select", **attrs})


class DashboardForm(forms.Form):
    """Which year, through which month, grouped how, in which region (all optional; defaults in the view)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, widget=_select())
    month = forms.TypedChoiceField(
        label=_("Through month"), coerce=int, required=False, choices=[("", "—"), *MONTH_CHOICES], widget=_select()
    )
    group_by = forms.ChoiceField(
        label=_("Group by"), choices=GroupBy.choices, required=False, initial=GroupBy.BATCH, widget=_select()
    )
    region = forms.ModelChoiceField(
        queryset=Region.objects.none(),
        to_field_name="code",
        required=False,
        label=_("Region"),
        empty_label=_("All my regions"),
        widget=_select(),
    )

    def __init__(self, *args, user, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["region"].queryset = Region.objects.restrict(user, Action.VIEW)
        self.fields["region"].label_from_instance = lambda r: ("　" * max(0, r.depth - 1)) + r.name


STATE_PENDING = "pending"
STATE_ALL = "all"
STATE_CHOICES = [
    (STATE_PENDING, _("Waiting for review")),
    *[(s.value, s.label) for s in ReportStatus if s != ReportStatus.DRAFT],
    (STATE_ALL, _("All states")),
]


class QueueForm(forms.Form):
    """The review queue's filter: a month (YYYY-MM; empty = every month) and a state (default: waiting)."""

    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month", "class": "form-control"}),
    )
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False, widget=_select())

    def clean_month(self) -> tuple[int, int] | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            day = datetime.date.fromisoformat(f"{value}-01")
        except ValueError as exc:
            raise forms.ValidationError(_("Give a month as YYYY-MM.")) from exc
        return day.year, day.month


class OpinionForm(forms.Form):
    """Returning a report: the reviewer's opinion (what to correct) is required."""

    opinion = forms.CharField(
        label=_("Opinion"),
        required=False,  # the service refuses an empty opinion, with its own message
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class ReasonForm(forms.Form):
    """Reopening an accepted month: the reason is required and recorded."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,  # the service refuses an empty reason, with its own message
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


MONTH_INPUT_ATTRS = {"class": "form-control form-control-sm tj-month-input", "step": "0.01", "inputmode": "decimal"}


class PlanForm(forms.Form):
    """A project's annual plan for one year: the amount and how to split it; twelve months for a manual split."""

    year = forms.IntegerField(widget=forms.HiddenInput())
    amount = forms.DecimalField(
        label=_("Annual planned investment (万元)"),
        max_digits=16,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "inputmode": "decimal"}),
    )
    split = forms.ChoiceField(
        label=_("Monthly split"),
        choices=SplitMethod.choices,
        initial=SplitMethod.EVEN,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for m in range(1, 13):
            self.fields[f"month_{m}"] = forms.DecimalField(
                label=month_label(m),
                required=False,
                max_digits=16,
                decimal_places=2,
                widget=forms.NumberInput(attrs=MONTH_INPUT_ATTRS),
            )

    def month_fields(self):
        return [self[f"month_{m}"] for m in range(1, 13)]

    def months(self) -> list | None:
        """The twelve months typed in (None for a missing one), or None unless the split is manual."""
        if self.cleaned_data.get("split") != SplitMethod.MANUAL:
            return None
        return [self.cleaned_data.get(f"month_{m}") for m in range(1, 13)]
