"""Forms of the briefing pages. They only parse input; the rules (compiles, who may, draft only) are the
services'."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.core.permissions import Action
from tuijin.regions.models import Region

from .choices import BriefingKind
from .models import BriefingTemplate


def last_month_end(today: datetime.date | None = None) -> datetime.date:
    """The default 截至 date: the last day of the previous month."""
    today = today or timezone.localdate()
    return today.replace(day=1) - datetime.timedelta(days=1)


def _date():
    return forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d")


def regions_for(user):
    return Region.objects.restrict(user, Action.VIEW).order_by("path")


class TemplateForm(forms.Form):
    name = forms.SlugField(
        label=_("Name"),
        max_length=50,
        help_text=_("Lower-case letters, digits and hyphens; used on the command line."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Series"), choices=BriefingKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    title = forms.CharField(
        label=_("Masthead title"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control font-monospace", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label=_("Template text"),
        strip=False,
        widget=forms.Textarea(
            attrs={"class": "form-control font-monospace tj-template-text", "rows": 28, "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["name"]


class PreviewForm(forms.Form):
    """What the preview renders the template over: a region the user sees, as of a date."""

    region = forms.ModelChoiceField(
        Region.objects.none(), label=_("Region"), widget=forms.Select(attrs={"class": "form-select"})
    )
    as_of = forms.DateField(label=_("As of"), widget=_date())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for(user)
        self.fields["region"].label_from_instance = lambda r: f"{r.name} ({r.code})"


class GenerateForm(PreviewForm):
    template = forms.ModelChoiceField(
        BriefingTemplate.objects.order_by("kind", "name"),
        label=_("Template"),
        widget=forms.Select(attrs={"class": "form-select"}),
        to_field_name="name",
    )

    field_order = ["template", "region", "as_of"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].label_from_instance = lambda t: f"{t.name} · {t.get_kind_display()}"


class TextForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"})
    )
    text = forms.CharField(
        label=_("Text"),
        strip=False,
        widget=forms.Textarea(attrs={"class": "form-control tj-briefing-text", "rows": 26, "spellcheck": "false"}),
    )


__all__ = ["GenerateForm", "PreviewForm", "TemplateForm", "TextForm", "last_month_end", "regions_for"]
