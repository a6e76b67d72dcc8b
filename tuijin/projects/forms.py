"""Forms of the ledger pages. Choices come only from what the signed-in user may see."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tuijin.accounts.models import Leader, Organization
from tuijin.regions.models import Region

from .choices import Batch
from .models import Listing, Period, Project

DATE_FIELDS = (
    "signed_on",
    "planned_started_on",
    "started_on",
    "planned_production_on",
    "production_on",
    "effective_on",
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def style(form: forms.BaseForm) -> forms.BaseForm:
    """Tabler classes on every widget, and `is-invalid` on fields with errors."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "code",
            "region",
            "enterprise",
            "industry",
            "nature",
            "content",
            "location",
            "latitude",
            "longitude",
            "total_investment",
            *DATE_FIELDS,
            "leader",
            "responsible_unit",
            "responsible_person",
            "note",
        ]
        widgets = {name: DateInput() for name in DATE_FIELDS} | {
            "content": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.restrict(user, "view")
        self.fields["enterprise"].queryset = Organization.objects.restrict(user, "view").filter(kind="enterprise")
        self.fields["leader"].queryset = Leader.objects.restrict(user, "view")
        self.fields["responsible_unit"].queryset = Organization.objects.restrict(user, "view").filter(kind="department")
        self.fields["total_investment"].min_value = None  # the model says why a negative amount is wrong
        self.fields["total_investment"].widget.attrs.update({"step": "0.01", "inputmode": "decimal"})
        style(self)

    # Sections of the form page: (title, fields).
    SECTIONS = [
        (
            _("Project"),
            [
                "name",
                "code",
                "region",
                "enterprise",
                "industry",
                "nature",
                "total_investment",
                "content",
                "location",
                "latitude",
                "longitude",
            ],
        ),
        (
            _("Milestones"),
            ["planned_started_on", "started_on", "planned_production_on", "production_on", "signed_on", "effective_on"],
        ),
        (_("Responsibility"), ["leader", "responsible_unit", "responsible_person", "note"]),
    ]

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


class ListingForm(forms.Form):
    """One period's listing of a project: a batch, or a removal with its reason."""

    period = forms.ModelChoiceField(Period.objects.all(), label=_("Period"), to_field_name="number")
    batch = forms.ChoiceField(choices=Batch.choices, label=_("Batch"))
    removed = forms.BooleanField(label=_("Removed from the list (调出)"), required=False)
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=False, help_text=_("Required when the project is removed.")
    )

    def __init__(self, *args, project: Project, listing: Listing | None = None, **kwargs):
        self.project = project
        self.listing = listing
        if listing is not None:
            kwargs.setdefault(
                "initial",
                {
                    "period": listing.period_id,
                    "batch": listing.batch,
                    "removed": listing.action == "removed",
                    "reason": listing.reason,
                },
            )
        super().__init__(*args, **kwargs)
        if listing is not None:
            self.fields["period"].disabled = True
        style(self)

    def clean_period(self):
        period = self.cleaned_data["period"]
        if self.listing is None and self.project.listings.filter(period=period).exists():
            raise forms.ValidationError(
                _("This project is already on %(period)s's list: edit that listing."), params={"period": period}
            )
        return period

    def clean(self):
        data = super().clean()
        if data.get("removed") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the removal."))
        return data


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = ["number", "name", "date"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = _("Left empty: 第N期 from the number.")
        style(self)
