"""Region pages: the tree the user may see, with how many projects each node holds; add and edit."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tuijin.core.permissions import Action, can
from tuijin.projects.models import Project
from tuijin.projects.services import region_create, save_checked

from .forms import RegionForm
from .models import Region


@login_required
def region_list(request):
    regions = list(Region.objects.restrict(request.user, Action.VIEW))
    direct = dict(
        Project.objects.restrict(request.user, Action.VIEW).order_by().values_list("region_id").annotate(n=Count("pk"))
    )
    by_path = {r.path: r for r in regions}
    subtree: Counter = Counter()
    for region in regions:
        n = direct.get(region.pk, 0)
        # Add this node's own projects to itself and every ancestor shown.
        parts = region.path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            path = "/" + "/".join(parts[:i]) + "/"
            if path in by_path:
                subtree[path] += n
    top = min((r.depth for r in regions), default=1)
    for region in regions:
        region.indent = region.depth - top
        region.direct_count = direct.get(region.pk, 0)
        region.subtree_count = subtree[region.path]
    context = {
        "regions": regions,
        "can_add": can(request.user, Action.ADD, Region),
        "can_change": can(request.user, Action.CHANGE, Region),
    }
    return render(request, "regions/region_list.html", context)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
@require_http_methods(["GET", "POST"])
def region_add(request):
    if not can(request.user, Action.ADD, Region):
        raise PermissionDenied
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent") else {}
    form = RegionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            region = region_create(code=data["code"], name=data["name"], parent=data["parent"], user=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Region “%(name)s” was added.") % {"name": region})
            return redirect("regions:region_list")
    return render(request, "regions/region_form.html", {"form": form, "region": None})


@login_required
@require_http_methods(["GET", "POST"])
def region_edit(request, pk: int):
    region = get_object_or_404(Region.objects.restrict(request.user, Action.VIEW), pk=pk)
    if not can(request.user, Action.CHANGE, region):
        raise PermissionDenied
    form = RegionForm(request.POST or None, instance=region, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            save_checked(request.user, form.instance, Action.CHANGE)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Region “%(name)s” was saved.") % {"name": region})
            return redirect("regions:region_list")
    return render(request, "regions/region_form.html", {"form": form, "region": region})
