"""Forms of the schedule pages: the target, the checklist's nodes and links, progress reports, baselines.

Choices come only from what the signed-in user may see; the writes themselves go through `services`.
"""

from __future__ import annotations

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from tuijin.accounts.choices import OrganizationKind
from tuijin.accounts.models import Organization
from tuijin.core.permissions import Action
from tuijin.projects.forms import DateInput, style

from .choices import CalendarKind, DependencyType, TargetKind
from .models import NodeTemplate, ProjectNode

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
