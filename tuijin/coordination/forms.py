"""Forms of the coordination pages: list filters, creating tasks, problems and meetings, and one small form per
workflow step. The forms only parse input; the rules (who may, in which state, what is required) are the services',
whose ValidationErrors come back as messages on the page.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.accounts.choices import OrganizationKind
from tuijin.accounts.models import Leader, Organization
from tuijin.core.permissions import Action
from tuijin.projects.models import Project
from tuijin.regions.models import Region

from .choices import Attendance, MeetingKind, OutcomeKind, ProblemLevel, ProblemState, TaskState
from .models import ProblemCategory, Task


def _select(**attrs):
    return forms.Select(attrs={"class": "form-select", **attrs})


def _text(**attrs):
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def _area(rows: int = 3, **attrs):
    return forms.Textarea(attrs={"class": "form-control", "rows": rows, **attrs})


def _date():
    return forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d")


def _file():
    return forms.ClearableFileInput(attrs={"class": "form-control"})


def units_for(user):
    """Departments and offices the user may see (enterprises are never lead or assigned units)."""
    return (
        Organization.objects.restrict(user, Action.VIEW)
        .exclude(kind=OrganizationKind.ENTERPRISE)
        .select_related("region")
        .order_by("name")
    )


def projects_for(user):
    return Project.objects.restrict(user, Action.VIEW).order_by("name")


YES = "1"

TASK_FIGURE_CHOICES = [
    ("", _("Any")),
    ("closed", _("Closed")),
    ("closed_on_time", _("Closed on time")),
    ("closed_late", _("Closed late")),
    ("overdue", _("Overdue")),
    ("open", _("Open, not overdue")),
]
PROBLEM_FIGURE_CHOICES = [("", _("Any")), ("solved", _("Solved")), ("unsolved", _("Not solved"))]
NO_LEADER = "none"


def regions_for(user):
    return Region.objects.restrict(user, Action.VIEW)


def _region_field():
    return forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All my regions"),
    )


class FilterForm(forms.Form):
    """A list's filters: the active ones can be shown as chips, each with the link that drops it."""

    def _style(self) -> None:
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field, forms.ChoiceField):
                field.widget.attrs["class"] = "form-select"
            else:
                field.widget.attrs["class"] = "form-control"

    def active_filters(self, params) -> list[dict]:
        """[{name, label, value, remove}] for every filter in use; `remove` is the query string without it."""
        if not self.is_bound or not self.is_valid():
            return []
        out = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, "", False):
                continue
            if isinstance(field, forms.BooleanField):
                text = ""
            elif isinstance(field, forms.ModelChoiceField):
                text = getattr(value, "name", None) or str(value)
            elif isinstance(field, forms.ChoiceField):
                text = str(dict(field.choices).get(value, value))
            elif isinstance(value, datetime.date):
                text = value.isoformat()
            else:
                text = str(value)
            rest = params.copy()
            rest.pop(name, None)
            rest.pop("page", None)
            out.append({"name": name, "label": field.label, "value": text, "remove": "?" + rest.urlencode()})
        return out


class TaskFilterForm(FilterForm):
    """The task list's filters; the window and `figure` are the statistics' (links from the statistics page)."""

    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), ("open", _("Not closed")), *TaskState.choices]
    )
    unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Organization.objects.none(), required=False, empty_label=_("Any unit")
    )
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False, empty_label=_("Any project")
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    leader = forms.ChoiceField(label=_("Leader"), required=False)
    assigned_from = forms.DateField(label=_("Assigned from"), required=False, widget=_date())
    assigned_to = forms.DateField(label=_("Assigned to"), required=False, widget=_date())
    figure = forms.ChoiceField(label=_("Figure"), required=False, choices=TASK_FIGURE_CHOICES)
    region = _region_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # the units and leaders of the region, and any other a visible task names (a city unit leading a zone's task)
        visible = Task.objects.restrict(user, Action.VIEW)
        self.fields["unit"].queryset = Organization.objects.filter(
            Q(pk__in=units_for(user).values("pk")) | Q(pk__in=visible.values("lead_unit_id"))
        ).order_by("name")
        self.fields["project"].queryset = projects_for(user)
        self.fields["region"].queryset = regions_for(user)
        self.fields["region"].label_from_instance = lambda r: ("　" * max(0, r.depth - 1)) + r.name
        self.show_region = user.is_superuser or self.fields["region"].queryset.count() > 1
        leaders = Leader.objects.filter(
            Q(pk__in=Leader.objects.restrict(user, Action.VIEW).values("pk"))
            | Q(pk__in=visible.values("project__leader_id"))
        ).order_by("name")
        self.fields["leader"].choices = [
            ("", _("Any leader")),
            (NO_LEADER, _("No leader")),
            *[(str(pk), name) for pk, name in leaders.values_list("pk", "name")],
        ]
        self._style()

    def clean(self):
        data = super().clean()
        start, end = data.get("assigned_from"), data.get("assigned_to")
        if start and end and start > end:
            self.add_error("assigned_to", _("The end date is before the start date."))
        return data


class ProblemFilterForm(FilterForm):
    """The problem register's filters; the window and `figure` are the statistics' (links from the statistics page)."""

    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), ("open", _("Unsolved")), *ProblemState.choices]
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("Any level")), *ProblemLevel.choices])
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ProblemCategory.objects.all(), required=False, empty_label=_("Any category")
    )
    unit = forms.ModelChoiceField(
        label=_("Assigned unit"), queryset=Organization.objects.none(), required=False, empty_label=_("Any unit")
    )
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False, empty_label=_("Any project")
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    raised_from = forms.DateField(label=_("Raised from"), required=False, widget=_date())
    raised_to = forms.DateField(label=_("Raised to"), required=False, widget=_date())
    figure = forms.ChoiceField(label=_("Figure"), required=False, choices=PROBLEM_FIGURE_CHOICES)
    region = _region_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user)
        self.fields["project"].queryset = projects_for(user)
        self.fields["region"].queryset = regions_for(user)
        self.fields["region"].label_from_instance = lambda r: ("　" * max(0, r.depth - 1)) + r.name
        self.show_region = user.is_superuser or self.fields["region"].queryset.count() > 1
        self._style()

    def clean(self):
        data = super().clean()
        start, end = data.get("raised_from"), data.get("raised_to")
        if start and end and start > end:
            self.add_error("raised_to", _("The end date is before the start date."))
        return data


class TaskForm(forms.Form):
    content = forms.CharField(label=_("What is to be done"), widget=_area(4))
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False, widget=_select()
    )
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Organization.objects.none(), widget=_select())
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("Cooperating units"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 5}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=100, required=False, widget=_text())
    deadline = forms.DateField(label=_("Deadline"), widget=_date())
    instructed_by = forms.ModelChoiceField(
        label=_("Leader's instruction from"),
        queryset=Leader.objects.none(),
        required=False,
        widget=_select(),
        help_text=_("Only when the task comes from a leader's instruction."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = units_for(user)
        self.fields["lead_unit"].queryset = units
        self.fields["cooperating_units"].queryset = units
        self.fields["project"].queryset = projects_for(user)
        self.fields["instructed_by"].queryset = Leader.objects.restrict(user, Action.VIEW).order_by("name")


class ProblemForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(), widget=_select())
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ProblemCategory.objects.filter(active=True), widget=_select()
    )
    description = forms.CharField(label=_("Description"), widget=_area(4))
    assigned_unit = forms.ModelChoiceField(
        label=_("Assigned unit"), queryset=Organization.objects.none(), required=False, widget=_select()
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=_date())

    def __init__(self, *args, user, routes: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_for(user)
        if routes:
            self.fields["assigned_unit"].queryset = units_for(user)
        else:
            del self.fields["assigned_unit"]
            del self.fields["deadline"]


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices, widget=_select())
    date = forms.DateField(label=_("Date"), widget=_date())
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), widget=_select())
    number = forms.IntegerField(
        label=_("Number"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        help_text=_("Leave empty to number it next in the year."),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False, widget=_text())
    place = forms.CharField(label=_("Place"), max_length=200, required=False, widget=_text())
    chair = forms.CharField(label=_("Chair"), max_length=100, required=False, widget=_text())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.restrict(user, Action.CHANGE)
        self.fields["region"].label_from_instance = lambda r: ("　" * max(0, r.depth - 1)) + r.name


class AttendeeForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, required=False, widget=_text(placeholder=_("Name (optional)"))
    )
    organization = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("Unit (optional)"),
        widget=_select(),
    )
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices, widget=_select())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.restrict(user, Action.VIEW).order_by("kind", "name")


class AgendaItemForm(forms.Form):
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("(a topic, no project)"),
        widget=_select(),
    )
    topic = forms.CharField(label=_("Topic"), max_length=300, required=False, widget=_text())
    presenter = forms.CharField(label=_("Presenter"), max_length=100, required=False, widget=_text())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_for(user)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[c for c in OutcomeKind.choices if c[0] != OutcomeKind.TASK],
        widget=_select(),
    )
    text = forms.CharField(
        label=_("Outcome"), required=False, widget=_area(2, placeholder=_("The information or the decision"))
    )


# ---- one form per workflow step (all fields optional here: the services say what is missing) ----


class TextFileForm(forms.Form):
    text = forms.CharField(label=_("What was done"), required=False, widget=_area(3))
    file = forms.FileField(label=_("Attachment"), required=False, widget=_file())


class EvidenceForm(TextFileForm):
    text = forms.CharField(label=_("Evidence that it is done"), required=False, widget=_area(3))


class OpinionForm(forms.Form):
    opinion = forms.CharField(label=_("Opinion"), required=False, widget=_area(2))


class ExtensionForm(forms.Form):
    new_deadline = forms.DateField(label=_("New deadline"), required=False, widget=_date())
    reason = forms.CharField(label=_("Reason"), required=False, widget=_area(2))


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Organization.objects.none(), widget=_select())
    deadline = forms.DateField(label=_("Deadline"), widget=_date())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user)


class SolutionForm(forms.Form):
    solution = forms.CharField(label=_("Solution"), required=False, widget=_area(3))


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—"), *[(i, "★" * i) for i in range(1, 6)]],
        widget=_select(),
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=_area(2))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=_area(2))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Why the zone cannot solve it"), required=False, widget=_area(2))
