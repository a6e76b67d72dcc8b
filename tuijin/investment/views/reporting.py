"""The enterprise's monthly reporting (月报) pages, built for a phone first: the reporting home (each project's
months of the year with their state, and what is owed first), one project-month's form with site photos from
the camera, the office's return/accept/reopen on the same page (posting to the review queue's actions in
views/office.py), and the permission-checked photo files.

Reads go through `restrict(user, "view")` (out of scope → 404); every write goes through `services`
(`report_file`, `photo_delete`), which decide who may write (→ 403) and
refuse bad input with a message that is shown on the field it names, nothing written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuijin.accounts.choices import Role
from tuijin.core.models import ChangeRecord
from tuijin.core.permissions import Action
from tuijin.projects.models import Project

from .. import services
from ..choices import COUNTED_STATUSES, EDITABLE_STATUSES, PENDING_STATUSES, ReminderKind, ReportStatus
from ..forms import ReportForm
from ..importer import month_key
from ..models import AnnualPlan, MonthlyReport, ReportPhoto
from ..selectors import rules_for

ZERO = Decimal("0.00")
PROJECTS_PER_PAGE = 20
PHOTO_CACHE_SECONDS = 7 * 24 * 3600  # a stored photo never changes (a new upload gets a new name)


# ---- shared look-ups --------------------------------------------------------------------------------------------


def _visible_project(request, pk: int) -> Project:
    qs = Project.objects.restrict(request.user, Action.VIEW).select_related("region", "enterprise")
    return get_object_or_404(qs, pk=pk)


def _month_or_404(year: int, month: int) -> None:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404


def _is_future(year: int, month: int, today: datetime.date) -> bool:
    return (year, month) > (today.year, today.month)


def _report_url(project_id: int, year: int, month: int) -> str:
    return reverse("investment:report_edit", args=[project_id, year, month])


def _is_office(user) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


# ---- the reporting home -----------------------------------------------------------------------------------------


@dataclass
class MonthCell:
    """One month's tile on the reporting home."""

    month: int
    state: str  # future, open, missing, or a ReportStatus value
    label: str
    color: str
    report: MonthlyReport | None = None
    overdue: bool = False
    url: str | None = None

    @property
    def late(self) -> bool:
        return bool(self.report and self.report.late)


def _cell(project: Project, year: int, month: int, report, plan, rule, today) -> MonthCell:
    if _is_future(year, month, today):
        return MonthCell(month, "future", "", "secondary")
    url = _report_url(project.pk, year, month)
    # Owed once the zone's window has closed, for a project with a positive plan that year (as the reminders).
    overdue = today > rule.due_date(year, month) and plan is not None and plan.amount > 0
    if report is None:
        if overdue:
            return MonthCell(month, "missing", ReminderKind.MISSING.label, "red", None, True, url)
        return MonthCell(month, "open", _("To report"), "secondary", None, False, url)
    status = ReportStatus(report.status)
    return MonthCell(
        month, status.value, status.label, status.color, report, overdue and status == ReportStatus.DRAFT, url
    )


def _year_of(request, today: datetime.date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year else today.year


def _home_projects(request, year: int):
    """The projects on the reporting home: an enterprise's own, all of them; anyone else's scope, those with a
    plan or a report that year (a page at a time, `q` searching name and code)."""
    user = request.user
    qs = Project.objects.restrict(user, Action.VIEW).select_related("region", "enterprise").order_by("code")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if user.role != Role.ENTERPRISE or user.is_superuser:
        qs = qs.filter(
            Q(Exists(AnnualPlan.objects.filter(project=OuterRef("pk"), year=year)))
            | Q(Exists(MonthlyReport.objects.filter(project=OuterRef("pk"), year=year)))
        )
    return qs, q


@login_required
@require_GET
def report_home(request):
    """Each project's months of the year with their state, and what is owed first (big tap targets, phone first)."""
    user = request.user
    today = timezone.localdate()
    year = _year_of(request, today)
    qs, q = _home_projects(request, year)
    page = Paginator(qs, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    projects = list(page.object_list)
    ids = [p.pk for p in projects]
    reports = {
        (r.project_id, r.month): r for r in MonthlyReport.objects.filter(project_id__in=ids, year=year).order_by()
    }
    plans = {p.project_id: p for p in AnnualPlan.objects.filter(project_id__in=ids, year=year)}
    rules = rules_for({p.region_id for p in projects})
    cards = []
    for p in projects:
        plan = plans.get(p.pk)
        cells = [_cell(p, year, m, reports.get((p.pk, m)), plan, rules[p.region_id], today) for m in range(1, 13)]
        invested = sum((c.report.invested for c in cells if c.report and c.report.status in COUNTED_STATUSES), ZERO)
        cards.append(
            {
                "project": p,
                "plan": plan,
                "invested": invested,
                "completion": (invested * 100 / plan.amount).quantize(Decimal("0.1")) if plan and plan.amount else None,
                "cells": cells,
                "owed": sum(1 for c in cells if c.state in ("missing", ReportStatus.RETURNED) or c.overdue),
            }
        )
    is_enterprise = user.role == Role.ENTERPRISE and not user.is_superuser
    context = {
        "year": year,
        "years": [y for y in (year - 1, year + 1) if 2000 <= y <= today.year],
        "today": today,
        "cards": cards,
        "page": page,
        "q": q,
        "is_enterprise": is_enterprise,
        "owed": services.reports_owed(user, today=today) if is_enterprise else [],
        "missing": _missing_summary(user, today) if _is_office(user) else None,
    }
    return render(request, "investment/report_home.html", context)


def _last_month(today: datetime.date) -> tuple[int, int]:
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def _missing_summary(user, today: datetime.date) -> dict:
    """For the office: how many projects in scope have not reported last month (the month being reported now)."""
    year, month = _last_month(today)
    visible = Project.objects.restrict(user, Action.VIEW)
    count = services.reports_missing(None, year, month).filter(pk__in=visible.values("pk")).count()
    return {"year": year, "month": month, "count": count}


def dashboard_reporting(user, today: datetime.date | None = None) -> dict:
    """What the dashboard shows about monthly reports: an enterprise what it owes, the office last month's missing
    count; nothing for the other roles."""
    today = today or timezone.localdate()
    if user.role == Role.ENTERPRISE and not user.is_superuser:
        return {"reporting_owed": services.reports_owed(user, today=today)[:6], "reporting_enterprise": True}
    if _is_office(user):
        return {"reporting_missing": _missing_summary(user, today)}
    return {}


# ---- one project-month ------------------------------------------------------------------------------------------


def _before(project: Project, year: int, month: int) -> dict:
    """The counted investment before this month: this year, and since start (万元)."""
    earlier = Q(year=year, month__lt=month)
    row = MonthlyReport.objects.filter(project=project, status__in=COUNTED_STATUSES).aggregate(
        in_year=Sum("invested", filter=earlier), since_start=Sum("invested", filter=earlier | Q(year__lt=year))
    )
    return {"year": row["in_year"] or ZERO, "start": row["since_start"] or ZERO}


def _history(report: MonthlyReport) -> list[dict]:
    """The report's way through review, from the change log: each change of state, when, by whom, the opinion.
    A dispatch-table import records the months of a row on the project (`importer.apply_dispatch`): those
    records count for the month they name."""
    types = ContentType.objects.get_for_models(MonthlyReport, Project)
    month = month_key(report.year, report.month)
    records = ChangeRecord.objects.filter(
        Q(content_type=types[MonthlyReport], object_id=report.pk)
        | Q(content_type=types[Project], object_id=report.project_id, after__monthly_reports__has_key=month)
    ).order_by("time", "id")
    out = []
    for rec in records:
        after = rec.after or {}
        if rec.content_type_id == types[Project].pk:
            after = after["monthly_reports"][month]
        if "status" not in after:
            continue
        try:
            status = ReportStatus(after["status"])
        except ValueError:
            continue
        reviewed = status in (ReportStatus.RETURNED, ReportStatus.REOPENED, ReportStatus.ACCEPTED)
        opinion = after.get("review_opinion", "") if reviewed else ""
        out.append({"time": rec.time, "user": rec.user_name, "status": status, "opinion": opinion})
    return out


def _neighbours(project: Project, year: int, month: int, today: datetime.date) -> dict:
    prev = (year - 1, 12) if month == 1 else (year, month - 1)
    nxt = (year + 1, 1) if month == 12 else (year, month + 1)
    return {
        "prev_url": _report_url(project.pk, *prev) if prev[0] >= 2000 else None,
        "next_url": None if _is_future(*nxt, today) else _report_url(project.pk, *nxt),
    }


def _page(request, project, year, month, *, form=None, status=200):
    user = request.user
    today = timezone.localdate()
    report = MonthlyReport.objects.filter(project=project, year=year, month=month).select_related("reviewed_by").first()
    future = _is_future(year, month, today)
    may_report = services.project_may_report(user, project)
    editable = may_report and not future and (report is None or report.status in EDITABLE_STATUSES)
    if editable and form is None:
        initial = {}
        if report is not None:
            initial = {
                "invested": report.invested,
                "progress_note": report.progress_note,
                "workers": report.workers,
                "difficulties": report.difficulties,
            }
        form = ReportForm(initial=initial)
    # A refused post on a month that cannot take a form (in the future, or no longer editable): say why anyway.
    refused = [str(e) for errors in form.errors.values() for e in errors] if form is not None and not editable else []
    may_review = report is not None and services.report_may_review(user, report)
    review_actions = []
    if may_review and report.status in PENDING_STATUSES:
        review_actions = ["return", "accept"]
    elif may_review and report.status == ReportStatus.ACCEPTED:
        review_actions = ["reopen"]
    plan = AnnualPlan.objects.filter(project=project, year=year).first()
    months = plan.effective_months() if plan else None
    before = _before(project, year, month)
    own = report.invested if report else ZERO
    rule = rules_for([project.region_id])[project.region_id]
    photos = list(report.photos.all()) if report else []
    context = {
        "project": project,
        "year": year,
        "month": month,
        "report": report,
        "status": ReportStatus(report.status) if report else None,
        "future": future,
        "editable": editable,
        "form": form if editable else None,
        "refused": refused,
        "may_review": may_review,
        "review_actions": review_actions,
        "plan": plan,
        "month_target": months[month - 1] if months else None,
        "plan_to_date": sum(months[:month], ZERO) if months else None,
        "before": before,
        "year_to_date": before["year"] + own,
        "since_start": before["start"] + own,
        "due_on": rule.due_date(year, month),
        "overdue": today > rule.due_date(year, month) and (report is None or report.status == ReportStatus.DRAFT),
        "photos": photos,
        "photo_slots": services.MAX_PHOTOS - len(photos),
        "max_photo_mb": round(services.photo_max_bytes() / 1048576, 1),
        "chosen_text": _("%(n)s photos chosen: they are stored when you save or submit."),
        "history": _history(report) if report else [],
        "here": request.get_full_path(),
        "back_url": _safe_next(request),
        **_neighbours(project, year, month, today),
    }
    return render(request, "investment/report_form.html", context, status=status)


def _safe_next(request) -> str:
    value = request.POST.get("next") or request.GET.get("next") or ""
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, project: int, year: int, month: int):
    """One project-month: fill in, save as a draft or submit; read-only once submitted or accepted."""
    _month_or_404(year, month)
    proj = _visible_project(request, project)
    if request.method == "GET":
        return _page(request, proj, year, month)
    if not services.project_may_report(request.user, proj):
        raise PermissionDenied
    form = ReportForm(request.POST, request.FILES)
    submit = request.POST.get("action") == "submit"
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_file(
                user=request.user,
                project=proj,
                year=year,
                month=month,
                invested=data["invested"],
                progress_note=data["progress_note"],
                workers=data["workers"],
                difficulties=data["difficulties"],
                photos=data["photos"],
                submit=submit,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            if submit:
                text = _("The report for %(year)s-%(month)02d was submitted to the project office.")
                if report.late:
                    text = _("The report for %(year)s-%(month)02d was submitted, after the reporting window: late.")
                messages.success(request, text % {"year": year, "month": month})
            else:
                text = _("Draft saved for %(year)s-%(month)02d: submit it when complete.")
                messages.success(request, text % {"year": year, "month": month})
            return redirect(_report_url(proj.pk, year, month))
    return _page(request, proj, year, month, form=form, status=400)


@login_required
@require_GET
def report_detail(request, pk: int):
    """A report by its id (links from the office's review queue and the API): its project-month page."""
    report = get_object_or_404(MonthlyReport.objects.restrict(request.user, Action.VIEW), pk=pk)
    return redirect(_report_url(report.project_id, report.year, report.month))


# ---- photos -----------------------------------------------------------------------------------------------------


def _visible_photo(request, pk: int) -> ReportPhoto:
    qs = ReportPhoto.objects.restrict(request.user, Action.VIEW).select_related("report__project__region")
    return get_object_or_404(qs, pk=pk)


def _serve(field, content_type: str):
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type)
    patch_cache_control(response, private=True, max_age=PHOTO_CACHE_SECONDS)
    return response


@login_required
@require_GET
def photo(request, pk: int):
    """A report's photo, to whoever may see its project (404 to anyone else); never cached by shared caches."""
    p = _visible_photo(request, pk)
    return _serve(p.image, "image/png" if p.image.name.lower().endswith(".png") else "image/jpeg")


@login_required
@require_GET
def photo_thumbnail(request, pk: int):
    return _serve(_visible_photo(request, pk).thumbnail, "image/jpeg")


@login_required
@require_POST
def photo_delete(request, pk: int):
    """Remove a photo while the report may still be edited."""
    p = _visible_photo(request, pk)
    report = p.report
    services.photo_delete(user=request.user, photo=p)  # PermissionDenied → 403
    messages.success(request, _("The photo was removed."))
    return redirect(_report_url(report.project_id, report.year, report.month))
