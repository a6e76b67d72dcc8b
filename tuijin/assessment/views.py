"""Assessment pages: the schemes and the assessments the user may see, one assessment's ranking with each
subject's breakdown (the numbers behind every value, linking to the projects, nodes, tasks and problems counted),
the red and black lists, publishing, bonus and penalty points, and the .xlsx and .docx exports.

Who may: see `api.py` (the same services and the same breakdown rule)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuijin.accounts.choices import Role
from tuijin.coordination.models import Problem, Task
from tuijin.core.permissions import Action, can
from tuijin.projects.models import Project
from tuijin.regions.models import Region
from tuijin.schedule.models import ProjectNode

from . import exports, services
from .choices import SubjectKind
from .formulas import REGISTRY
from .models import Adjustment, Assessment, Scheme, Score
from .selectors import schemes_with_versions, scores_of

SHOWN = 30  # items listed per indicator in a breakdown (the rest are counted)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _require_view(user) -> None:
    if not can(user, Action.VIEW, Assessment):
        raise PermissionDenied(_("You may not see this page."))


def _assessments(user):
    return Assessment.objects.restrict(user, Action.VIEW).select_related(
        "version__scheme", "period", "region", "published_by", "computed_by"
    )


def _assessment(request, pk: int) -> Assessment:
    a = _assessments(request.user).filter(pk=pk).first()
    if a is None:
        raise Http404(_("Not found, or outside what you may see."))
    return a


def _is_office(user) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def _refused(request, exc: PermissionDenied):
    message = str(exc) or _("You may not do this.")
    return render(request, "assessment/refused.html", {"message": message}, status=403)


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


@login_required
@require_GET
def index(request):
    """The assessments the user may see, the schemes, and (for the office) the form to compute one."""
    user = request.user
    _require_view(user)
    schemes = schemes_with_versions(Scheme.objects.restrict(user, Action.VIEW))
    for scheme in schemes:
        versions = list(scheme.versions.all())
        scheme.current = versions[-1] if versions else None
    regions = Region.objects.restrict(user, Action.VIEW).order_by("path") if _is_office(user) else []
    return render(
        request,
        "assessment/index.html",
        {
            "assessments": _assessments(user)[:200],
            "schemes": schemes,
            "regions": regions,
            "subject_kinds": SubjectKind.choices,
            "may_compute": _is_office(user),
            "form": request.session.pop("assessment_form", {}),
        },
    )


@login_required
@require_POST
def compute(request):
    user = request.user
    if not _is_office(user):
        return _refused(request, PermissionDenied(_("Only the project office may compute an assessment.")))
    data = {k: request.POST.get(k, "").strip() for k in ("scheme", "period", "subjects", "region")}
    try:
        scheme = services.scheme_by_name(data["scheme"])
        kind = data["subjects"] or scheme.subject_kind
        region = None
        if data["region"]:
            region = Region.objects.restrict(user, Action.VIEW).filter(code=data["region"]).first()
            if region is None:
                raise ValidationError({"region": _("No region with code %(code)s.") % {"code": data["region"]}})
        assessment = services.assessment_compute(
            scheme=scheme, period=data["period"], region=region, subjects=kind, user=user
        )
    except PermissionDenied as exc:
        return _refused(request, exc)
    except ValidationError as exc:
        messages.error(request, _("Not done: %(reason)s") % {"reason": _error_text(exc)})
        request.session["assessment_form"] = data
        return redirect("assessment:index")
    messages.success(request, _("Computed: %(assessment)s.") % {"assessment": assessment})
    return redirect("assessment:detail", pk=assessment.pk)


@login_required
@require_GET
def scheme_detail(request, name: str):
    _require_view(request.user)
    scheme = Scheme.objects.restrict(request.user, Action.VIEW).filter(name=name).first()
    if scheme is None:
        raise Http404(_("Not found, or outside what you may see."))
    scheme = schemes_with_versions(Scheme.objects.filter(pk=scheme.pk))[0]
    versions = list(scheme.versions.all())
    for v in versions:
        v.rows = [(i, REGISTRY.get(i.formula)) for i in v.indicators.all()]
        v.weight = sum((i.weight for i in v.indicators.all()), start=0)
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "scheme": scheme,
            "versions": versions[::-1],
            "may_edit": services.scheme_may_edit(request.user, scheme),
            "used": Assessment.objects.restrict(request.user, Action.VIEW).filter(version__scheme=scheme).count(),
        },
    )


@login_required
@require_POST
def scheme_version(request, name: str):
    scheme = Scheme.objects.restrict(request.user, Action.VIEW).filter(name=name).first()
    if scheme is None:
        raise Http404(_("Not found, or outside what you may see."))
    if not services.scheme_may_edit(request.user, scheme):
        return _refused(request, PermissionDenied(_("Only the office that owns this scheme may change it.")))
    try:
        version = services.scheme_new_version(scheme=scheme, reason=request.POST.get("reason", ""), user=request.user)
    except ValidationError as exc:
        messages.error(request, _("Not done: %(reason)s") % {"reason": _error_text(exc)})
    else:
        messages.success(
            request, _("Version %(n)s made: change its indicators through the API.") % {"n": version.number}
        )
    return redirect("assessment:scheme_detail", name=scheme.name)


@login_required
@require_GET
def detail(request, pk: int):
    """The ranking, the red and black lists, each subject's indicator points (where the user may see them), the
    adjustments; publish and adjust for the office."""
    a = _assessment(request, pk)
    user = request.user
    scores = scores_of(a)
    indicators = list(a.version.indicators.order_by("order", "id"))
    for s in scores:
        s.visible = services.breakdown_visible(user, a, s.subject_key)
        by_indicator = {i.indicator_id: i for i in s.items.all()}
        s.cells = [by_indicator.get(ind.pk) for ind in indicators]
    office = services.is_office_of(user, a.region)
    return render(
        request,
        "assessment/detail.html",
        {
            "a": a,
            "scores": scores,
            "indicators": indicators,
            "red": [s for s in scores if s.mark == "red"],
            "black": [s for s in scores if s.mark == "black"],
            "adjustments": a.adjustments.select_related("entered_by").order_by("id") if office else [],
            "may_change": office and not a.is_published,
            "office": office,
            "any_visible": any(s.visible for s in scores),
        },
    )


def _links(kind: str, ids: list[int], user) -> list[tuple[str, str]]:
    """(name, url) of the counted objects the user may see, in the order given."""
    if kind == "project":
        rows = Project.objects.restrict(user, Action.VIEW).filter(pk__in=ids).values_list("pk", "name")
        found = {pk: (name, reverse("projects:project_detail", args=[pk])) for pk, name in rows}
    elif kind == "node":
        rows = (
            ProjectNode.objects.restrict(user, Action.VIEW)
            .filter(pk__in=ids)
            .values_list("pk", "name", "project_id", "project__name")
        )
        found = {pk: (f"{pname} · {name}", reverse("schedule:project", args=[pid])) for pk, name, pid, pname in rows}
    elif kind == "task":
        rows = Task.objects.restrict(user, Action.VIEW).filter(pk__in=ids).values_list("pk", "content")
        found = {pk: (text[:40], reverse("coordination:task_detail", args=[pk])) for pk, text in rows}
    elif kind == "problem":
        rows = Problem.objects.restrict(user, Action.VIEW).filter(pk__in=ids).values_list("pk", "description")
        found = {pk: (text[:40], reverse("coordination:problem_detail", args=[pk])) for pk, text in rows}
    else:
        found = {}
    return [found[i] for i in ids if i in found]


@login_required
@require_GET
def breakdown(request, pk: int, key: str):
    """One subject's breakdown (an htmx fragment, or a page of its own): every indicator's value, points and the
    numbers behind them, with the objects counted — those that missed first."""
    a = _assessment(request, pk)
    score = Score.objects.filter(assessment=a, subject_key=key).first()
    if score is None:
        raise Http404(_("Not found, or outside what you may see."))
    if not services.breakdown_visible(request.user, a, key):
        raise PermissionDenied(_("Only the office and the subject itself see this breakdown."))
    rows = []
    for item in score.items.select_related("indicator").order_by("indicator__order", "indicator_id"):
        n = item.numbers or {}
        ids, missed = n.get("ids", []), n.get("missed", [])
        kind = n.get("kind", "project")
        rest = [i for i in ids if i not in set(missed)]
        rows.append(
            {
                "item": item,
                "spec": REGISTRY.get(item.indicator.formula),
                "n": n,
                "missed": _links(kind, missed[:SHOWN], request.user),
                "met": _links(kind, rest[:SHOWN], request.user),
                "more": max(len(ids) - min(len(missed), SHOWN) - min(len(rest), SHOWN), 0),
            }
        )
    adjustments = a.adjustments.filter(subject_key=key).order_by("id")
    template = "assessment/_breakdown.html" if request.headers.get("HX-Request") else "assessment/breakdown.html"
    return render(request, template, {"a": a, "score": score, "rows": rows, "adjustments": adjustments})


def _step(request, a: Assessment, fn, done: str):
    try:
        fn()
    except PermissionDenied as exc:
        return _refused(request, exc)
    except ValidationError as exc:
        messages.error(request, _("Not done: %(reason)s") % {"reason": _error_text(exc)})
    else:
        messages.success(request, done)
    return redirect("assessment:detail", pk=a.pk)


@login_required
@require_POST
def publish(request, pk: int):
    a = _assessment(request, pk)
    if not services.is_office_of(request.user, a.region):
        return _refused(request, PermissionDenied(_("Only the project office may publish an assessment.")))
    return _step(
        request,
        a,
        lambda: services.assessment_publish(assessment=a, user=request.user),
        _("Published. The assessment is read-only now."),
    )


@login_required
@require_POST
def adjust(request, pk: int):
    a = _assessment(request, pk)
    if not services.is_office_of(request.user, a.region):
        return _refused(request, PermissionDenied(_("Only the project office may enter bonus and penalty points.")))
    p = request.POST
    return _step(
        request,
        a,
        lambda: services.adjustment_add(
            assessment=a,
            subject=p.get("subject", ""),
            points=p.get("points", "") or ("0" if p.get("veto") else ""),
            reason=p.get("reason", ""),
            veto=bool(p.get("veto")),
            user=request.user,
        ),
        _("Adjustment recorded."),
    )


@login_required
@require_POST
def adjustment_delete(request, pk: int):
    adj = Adjustment.objects.restrict(request.user, Action.VIEW).select_related("assessment__region").filter(pk=pk)
    adj = adj.first()
    if adj is None:
        raise Http404(_("Not found, or outside what you may see."))
    a = adj.assessment
    if not services.is_office_of(request.user, a.region):
        return _refused(request, PermissionDenied(_("Only the project office may enter bonus and penalty points.")))
    return _step(
        request, a, lambda: services.adjustment_delete(adjustment=adj, user=request.user), _("Adjustment removed.")
    )


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_GET
def export_xlsx(request, pk: int):
    a = _assessment(request, pk)
    data = exports.assessment_xlsx(a, lambda key: services.breakdown_visible(request.user, a, key))
    return _download(data, XLSX, exports.filename(a, "xlsx"))


@login_required
@require_GET
def export_docx(request, pk: int):
    a = _assessment(request, pk)
    data = exports.assessment_docx(a, lambda key: services.breakdown_visible(request.user, a, key))
    return _download(data, DOCX, exports.filename(a, "docx"))
