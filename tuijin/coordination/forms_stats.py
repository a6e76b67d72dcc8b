"""The statistics page's filter: a window (from/to, with quick choices) and, for province and city users, a region."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import regions_for


def _date():
    return forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d")


def quick_windows(today: datetime.date) -> list[dict]:
    """This month, this quarter, this year (each up to today: meetings not yet held are not counted) and last year."""
    quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return [
        {"key": "month", "label": _("This month"), "from": today.replace(day=1), "to": today},
        {"key": "quarter", "label": _("This quarter"), "from": quarter_start, "to": today},
        {"key": "year", "label": _("This year"), "from": datetime.date(today.year, 1, 1), "to": today},
        {
            "key": "last_year",
            "label": _("Last year"),
            "from": datetime.date(today.year - 1, 1, 1),
            "to": datetime.date(today.year - 1, 12, 31),
        },
    ]


class StatsForm(forms.Form):
    """`from`, `to` and `region` (a code), the same parameters as GET /api/v1/stats/coordination."""

    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=None,
        to_field_name="code",
        required=False,
        empty_label=_("All my regions"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword: the fields are added here to keep the API's parameter names
        self.fields["from"] = forms.DateField(label=_("From"), required=False, widget=_date())
        self.fields["to"] = forms.DateField(label=_("To"), required=False, widget=_date())
        self.order_fields(["from", "to", "region"])
        regions = regions_for(user)
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = lambda r: ("　" * max(0, r.depth - 1)) + r.name
        # the region choice is for users above a zone (a province or city office, a superuser)
        self.show_region = user.is_superuser or regions.count() > 1

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date is before the start date."))
        return data
