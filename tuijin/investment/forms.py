"""Forms of the reporting pages: a month's report (月报) with its site photos.

The forms only shape the input; the rules (amounts, months, totals, photo formats and sizes, who may write) are
the services', whose errors are put back on the fields they name, so the page and the API refuse the same things
with the same words.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tuijin.projects.forms import style

PHOTO_ACCEPT = "image/jpeg,image/png"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input multiple> (Django's documented pattern); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


class ReportForm(forms.Form):
    """One project-month: the figure, 形象进度, workers, difficulties and new site photos (phone camera)."""

    # Text, not DecimalField: the service parses the amount and says what was wrong with the very value typed.
    invested = forms.CharField(
        label=_("Invested this month (万元)"),
        max_length=30,
        error_messages={"required": _("Give the amount invested this month in 万元.")},
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00", "class": "tj-big-input"}
        ),
    )
    progress_note = forms.CharField(
        label=_("Progress (形象进度)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was built this month, e.g. main structure topped out, equipment being installed."),
    )
    workers = forms.IntegerField(
        label=_("Workers on site"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        error_messages={
            "invalid": _("Workers on site must be a whole number, not negative."),
            "min_value": _("Workers on site must be a whole number, not negative."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "step": "1"}),
    )
    difficulties = forms.CharField(
        label=_("Difficulties"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Land, power, funding, approvals … what the office should help with."),
    )
    photos = MultipleFileField(
        label=_("Site photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT, "capture": "environment"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def add_service_error(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the fields it names (`file` → photos, others → the form)."""
        fields = {"invested": "invested", "workers": "workers", "file": "photos", "month": None, "year": None}
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, errors in exc.error_dict.items():
            field = fields.get(key)
            for error in errors:
                self.add_error(field, error)
        style(self)
