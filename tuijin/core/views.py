"""The change log pages: every recorded write the user may read, filterable, and one record's field diff."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import ChangeAction, ChangeSource
from .fields import MoneyField
from .htmx import is_htmx
from .models import ChangeLoggedModel, ChangeRecord
from .permissions import Action, can
from .templatetags.tuijin_tags import money

PAGE_SIZE = 50
RELATED_SHOWN = 10
HIDDEN_FIELDS = {"name_key"}  # derived matching keys: noise beside the name itself


def audited_types() -> list[ContentType]:
    models = [m for m in apps.get_models() if issubclass(m, ChangeLoggedModel)]
    types = ContentType.objects.get_for_models(*models)
    return sorted(types.values(), key=lambda ct: str(ct.model_class()._meta.verbose_name))


class DateInput(forms.DateInput):
    input_type = "date"


class ChangeFilterForm(forms.Form):
    type = forms.ModelChoiceField(ContentType.objects.none(), required=False, label=gettext_lazy("Object type"))
    action = forms.ChoiceField(
        choices=[("", "---------"), *ChangeAction.choices], required=False, label=gettext_lazy("Action")
    )
    source = forms.ChoiceField(
        choices=[("", "---------"), *ChangeSource.choices], required=False, label=gettext_lazy("Source")
    )
    user = forms.CharField(required=False, label=gettext_lazy("User"))
    date_from = forms.DateField(required=False, widget=DateInput, label=gettext_lazy("From"))
    date_to = forms.DateField(required=False, widget=DateInput, label=gettext_lazy("To"))
    request = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = audited_types()
        self.fields["type"].queryset = ContentType.objects.filter(pk__in=[ct.pk for ct in types])
        self.fields["type"].label_from_instance = lambda ct: ct.model_class()._meta.verbose_name
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if hasattr(field, "choices") else "form-control"

    def filter(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["type"]:
            qs = qs.filter(content_type=data["type"])
        if data["action"]:
            qs = qs.filter(action=data["action"])
        if data["source"]:
            qs = qs.filter(source=data["source"])
        if data["user"]:
            qs = qs.filter(user_name=data["user"].strip())
        if data["date_from"]:
            qs = qs.filter(time__date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(time__date__lte=data["date_to"])
        if data["request"]:
            qs = qs.filter(request_id=data["request"])
        return qs


def _readable(field, value, cache: dict) -> str:
    """A stored snapshot value as a person reads it: choice labels, related objects by name."""
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and field.related_model is not None:
        key = (field.related_model, value)
        if key not in cache:
            target = field.target_field.attname
            obj = field.related_model._default_manager.filter(**{target: value}).first()
            cache[key] = str(obj) if obj is not None else f"#{value}"
        return cache[key]
    if isinstance(field, MoneyField):
        return money(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def readable_diff(record: ChangeRecord, cache: dict | None = None) -> list[tuple[str, str, str]]:
    """`record.diff()` with values a person can read (names instead of ids, labels instead of codes).

    `cache` keeps looked-up related objects across the records of one page."""
    cache = {} if cache is None else cache
    model = record.content_type.model_class()
    before, after = record.before or {}, record.after or {}
    fields = [f for f in (model._meta.concrete_fields if model else []) if f.attname in before or f.attname in after]
    rows = [
        (label, _readable(f, old, cache), _readable(f, new, cache))
        for f, (label, old, new) in zip(fields, record.diff(), strict=True)
        if not f.primary_key and f.name not in HIDDEN_FIELDS
    ]
    for label, related, old, new in record.related_diff():
        rows.append((label, _readable_object(related, old, cache), _readable_object(related, new, cache)))
    return rows


def _readable_object(model, values: dict | None, cache: dict) -> str:
    """A related object's recorded fields (`ChangeRecord.related_diff`) as "label value · label value"."""
    if not values:
        return ""
    parts = []
    for name, value in values.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.primary_key or value in (None, ""):
            continue
        parts.append(f"{field.verbose_name} {_readable(field, value, cache)}")
    return " · ".join(parts)


def _restricted(request):
    if not can(request.user, Action.VIEW, ChangeRecord):
        raise PermissionDenied
    return ChangeRecord.objects.restrict(request.user, Action.VIEW)


@login_required
def change_list(request):
    records = _restricted(request)
    form = ChangeFilterForm(request.GET)
    filtered = form.filter(records).select_related("content_type", "user")
    page = Paginator(filtered, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "records": page.object_list}
    if is_htmx(request):
        return render(request, "core/change_list_table.html", context)
    context["user_names"] = (
        records.exclude(user_name="").order_by("user_name").values_list("user_name", flat=True).distinct()
    )
    return render(request, "core/change_list.html", context)


@login_required
def change_detail(request, pk: int):
    record = get_object_or_404(_restricted(request).select_related("content_type", "user"), pk=pk)
    obj = record.object if record.action != ChangeAction.DELETE else None
    link = obj.get_absolute_url() if obj is not None and hasattr(obj, "get_absolute_url") else None
    if link is None and obj is not None and hasattr(obj, "project_id"):
        link = obj.project.get_absolute_url() if hasattr(obj.project, "get_absolute_url") else None
    same_request = ChangeRecord.objects.restrict(request.user, Action.VIEW).filter(request_id=record.request_id)
    related = list(same_request.exclude(pk=record.pk).select_related("content_type")[:RELATED_SHOWN])
    context = {
        "record": record,
        "diff": readable_diff(record),
        "object_link": link,
        "type_name": record.content_type.model_class()._meta.verbose_name,
        "related": related,
        "related_count": same_request.count() - 1,
    }
    return render(request, "core/change_detail.html", context)
