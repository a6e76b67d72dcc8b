"""Forms of the schedule pages: the target, the checklist's nodes and links, progress reports, baselines.

Choices come only from what the signed-in user may see; the writes themselves go through `services`.
"""

from __future__ import annotations

import re

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from tuijin.accounts.choices import OrganizationKind
from tuijin.accounts.models import Organization
from tuijin.core.permissions import Action
from tuijin.projects.forms import DateInput, style

from .choices import CalendarKind, DependencyType, Milestone, TargetKind
from .models import CalendarYear, NodeTemplate, ProjectNode

EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "heic", "webp", "doc", "docx", "xls", "xlsx", "ofd", "zip"]
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


class TargetForm(forms.Form):
    """倒排工期: the node to schedule back from, its date and how strict the date is."""

    node = forms.ChoiceField(label=_("Target node"))
    date = forms.DateField(label=_("Target date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=TargetKind.choices, initial=TargetKind.FINISH_NO_LATER_THAN)

    def __init__(self, *args, node_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n, n) for n in node_names]
        style(self)


class ChecklistForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Template"), queryset=NodeTemplate.objects.all(), empty_label=None, required=True
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = NodeTemplate.objects.restrict(user, Action.VIEW)
        style(self)


class NodeForm(forms.ModelForm):
    """A checklist node as the office edits it. A milestone node's finish is the ledger's date: not here."""

    class Meta:
        model = ProjectNode
        fields = [
            "name",
            "duration",
            "calendar",
            "responsible_unit",
            "responsible_person",
            "planned_start",
            "planned_finish",
            "note",
        ]
        widgets = {
            "planned_start": DateInput(),
            "planned_finish": DateInput(),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = (
            Organization.objects.restrict(user, Action.VIEW)
            .filter(kind__in=[OrganizationKind.DEPARTMENT, OrganizationKind.ENTERPRISE, OrganizationKind.OFFICE])
            .order_by("kind", "name")
        )
        self.fields["duration"].required = True
        self.fields["calendar"].choices = CalendarKind.choices
        style(self)


class LinkForm(forms.Form):
    """One predecessor of a node: which node, finish-to-start or start-to-start, and the lag."""

    predecessor = forms.TypedChoiceField(label=_("Predecessor"), coerce=int, required=False, empty_value=None)
    type = forms.ChoiceField(label=_("Type"), choices=DependencyType.choices, initial=DependencyType.FS)
    lag = forms.IntegerField(label=_("Lag (days)"), min_value=0, max_value=3650, initial=0)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].choices = [("", "---------"), *choices]
        style(self)


class BaseLinkFormSet(forms.BaseFormSet):
    def __init__(self, *args, choices=(), **kwargs):
        self.choices = list(choices)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"choices": self.choices}

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            pred = form.cleaned_data.get("predecessor")
            if pred is None:
                continue
            if pred in seen:
                raise forms.ValidationError(_("The same predecessor is listed twice."))
            seen.add(pred)


LinkFormSet = forms.formset_factory(LinkForm, formset=BaseLinkFormSet, extra=2, can_delete=True)


class ReportForm(forms.Form):
    """Progress on one node (节点进度): what has happened, with a document or photo as evidence."""

    actual_start = forms.DateField(label=_("Actual start"), required=False, widget=DateInput())
    actual_finish = forms.DateField(label=_("Actual finish"), required=False, widget=DateInput())
    evidence = forms.FileField(
        label=_("Evidence (document or photo)"),
        required=False,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
        widget=forms.FileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ofd,.zip"}),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def clean_evidence(self):
        f = self.cleaned_data.get("evidence")
        if f and f.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return f


class BaselineForm(forms.Form):
    name = forms.CharField(label=_("Baseline name"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["placeholder"] = _("e.g. 2025年初排定")
        style(self)


# --- node templates and the calendar (the office's reference data) -------------------------------------------

# One predecessor as the office types it, like MS Project's predecessor column: "名称", "名称 SS", "名称 FS+3",
# "名称 SS+5"; several separated by commas, 、 or semicolons.
_PRED = re.compile(r"^(?P<name>.+?)(?:\s+(?P<type>FS|SS))?\s*(?:\+\s*(?P<lag>\d+))?$", re.IGNORECASE)
_PRED_SEPARATORS = re.compile(r"[,，;；、\n]+")


def parse_predecessors(text: str) -> list[tuple[str, str, int]]:
    """'立项备案, 土地出让(摘牌) SS+5' → [('立项备案', 'FS', 0), ('土地出让(摘牌)', 'SS', 5)]."""
    out = []
    for part in _PRED_SEPARATORS.split(text or ""):
        part = part.strip()
        if not part:
            continue
        m = _PRED.match(part)
        name, typ, lag = m.group("name").strip(), (m.group("type") or "FS").upper(), int(m.group("lag") or 0)
        out.append((name, typ, lag))
    return out


def format_predecessors(links: list[tuple[str, str, int]]) -> str:
    parts = []
    for name, typ, lag in links:
        text = name
        if typ != DependencyType.FS or lag:
            text += f" {typ}"
        if lag:
            text += f"+{lag}"
        parts.append(text)
    return ", ".join(parts)


class TemplateForm(forms.Form):
    """A template's own fields. A plain form: the service checks the name and the one default with the nodes."""

    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_default = forms.BooleanField(
        label=_("Default"), required=False, help_text=_("Given to a project that has no checklist yet.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class TemplateAddForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    copy_from = forms.ModelChoiceField(
        label=_("Copy the nodes of"), queryset=NodeTemplate.objects.none(), required=False, empty_label=_("(empty)")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = NodeTemplate.objects.restrict(user, Action.VIEW)
        style(self)


class TemplateNodeForm(forms.Form):
    """One row of the template editor. A blank new row is skipped; a row to remove is ticked."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Node"), max_length=100, required=False)
    duration = forms.IntegerField(label=_("Duration (days)"), min_value=0, max_value=3650, required=False)
    calendar = forms.ChoiceField(label=_("Counted in"), choices=CalendarKind.choices, initial=CalendarKind.WORK)
    department = forms.CharField(label=_("Responsible department"), max_length=200, required=False)
    milestone = forms.ChoiceField(label=_("Ledger milestone"), choices=[("", "—"), *Milestone.choices], required=False)
    predecessors = forms.CharField(
        label=_("Predecessors"),
        max_length=1000,
        required=False,
        help_text=_("Node names, comma separated; add SS for start to start and +N for a lag: 土地出让(摘牌) SS+5"),
    )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("id") and not data.get("name") and not data.get("predecessors") and not data.get("DELETE")

    def clean(self):
        data = super().clean()
        if data.get("DELETE") or self.is_blank():
            return data
        if not data.get("name"):
            self.add_error("name", _("Name the node."))
        if data.get("duration") is None:
            self.add_error("duration", _("Give the node a duration."))
        return data


class BaseTemplateNodeFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        style(form)  # only now: style() looks at the errors, which must be computed with DELETE in the form


TemplateNodeFormSet = forms.formset_factory(
    TemplateNodeForm, formset=BaseTemplateNodeFormSet, extra=3, can_delete=True, max_num=200
)


class CalendarDayForm(forms.Form):
    """A day to list: a public holiday (off) or an adjusted working weekend (调休)."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    is_workday = forms.TypedChoiceField(
        label=_("Kind"),
        choices=[("0", _("Holiday (off)")), ("1", _("Adjusted working day (调休)"))],
        coerce=lambda v: v == "1",
        initial="0",
    )
    name = forms.CharField(label=_("Name"), max_length=50, required=False)

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.fields["name"].widget.attrs["placeholder"] = _("e.g. 春节 or 春节调休")
        style(self)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day.year != self.year:
            raise forms.ValidationError(_("%(date)s is not in %(year)s.") % {"date": day, "year": self.year})
        return day


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["source", "provisional"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
