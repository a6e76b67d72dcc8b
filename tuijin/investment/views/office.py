"""The project office's investment pages: the zone's dashboard, the review queue (return / accept / reopen) with
who has not reported, and a project's investment tab (plans and their monthly split, reports, completion and
forecast, charts).

Every read goes through `restrict(user, "view")` and the selectors (the dashboard's figures are
`investment_payload`'s, the same as `tuijin stats investment` and GET /api/v1/stats/investment); every write is a
service call (plan_set, report_return, report_accept, report_reopen), which checks the permission and writes the
change record. Out of scope → 404, not allowed → 403.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuijin.accounts.choices import Role
from tuijin.core.permissions import Action, can
from tuijin.projects.models import Project
from tuijin.schedule.views.common import json_script

from .. import charts, services
from ..choices import PENDING_STATUSES, Flag, GroupBy, ReminderKind, ReportStatus, Risk, SplitMethod
from ..forms_office import STATE_ALL, STATE_PENDING, DashboardForm, OpinionForm, PlanForm, QueueForm, ReasonForm
from ..models import AnnualPlan, MonthlyReport, ReportingRule
from ..selectors import (
    annotate_cumulative,
    completion_rows,
    default_through_month,
    flag,
    investment_payload,
    month_end,
    rules_for,
)

QUEUE_PAGE_SIZE = 50
BEHIND_LIMIT = 20
ONE_DECIMAL = Decimal("0.1")


# ---- shared ----


def _visible_project(request, pk: int) -> Project:
    qs = Project.objects.restrict(request.user, Action.VIEW).select_related(
        "region", "enterprise", "leader", "responsible_unit"
    )
    return get_object_or_404(qs, pk=pk)


def _is_reviewer(user) -> bool:
    """The project office (admin role) or a superuser: who may open the review queue (each action is still
    checked per report by `services.report_may_review`)."""
    return (
        user.is_authenticated
        and (user.is_superuser or user.role == Role.ADMIN)
        and can(user, Action.CHANGE, MonthlyReport)
    )


def _rule_for(user, region) -> ReportingRule:
    """The thresholds that colour group rows: the chosen region's, else the user's, else the defaults."""
    region = region or getattr(user, "region", None)
    if region is None:
        return ReportingRule()
    return rules_for([region.pk])[region.pk]


def _elapsed_percent(month: int) -> Decimal:
    """序时进度 in percent with one decimal, as the payload's gap_points counts it."""
    return (Decimal(100 * month) / 12).quantize(ONE_DECIMAL)


def _money_str(values) -> list[str]:
    """Exact decimal strings for chart JSON (the browser turns them into numbers only to draw)."""
    return [str(v) for v in values]


def _report_page_url():
    """The enterprise reporting page of one report (views/reporting.py), when it exists: pk → URL or None."""
    for name in ("investment:report_detail", "investment:report_edit"):
        try:
            url = reverse(name, args=[987654321])
        except NoReverseMatch:
            continue
        head, tail = url.split("987654321", 1)
        return lambda pk: f"{head}{pk}{tail}"
    return lambda pk: None


def _chart_labels(year: int) -> dict:
    return {
        "months": [_("Month %(m)s") % {"m": m} for m in range(1, 13)],
        "plan": _("Monthly plan"),
        "actual": _("Invested"),
        "planCumulative": _("Plan, cumulative"),
        "actualCumulative": _("Invested, cumulative"),
        "forecast": _("Forecast to year end"),
        "elapsed": _("序时进度"),
        "completion": _("Completion rate"),
        "unit": _("万元"),
        "percent": "%",
        "year": str(year),
    }


def _series_json(series: dict, *, year: int, month: int, forecast_year_end) -> dict:
    actual_cum = series["actual_cumulative"]
    forecast = None
    if forecast_year_end is not None and month < 12:
        # a straight dashed line from the last reported month's cumulative figure to the year-end forecast
        forecast = [None] * (month - 1) + [str(actual_cum[-1] if actual_cum else 0)]
        step = (forecast_year_end - (actual_cum[-1] if actual_cum else 0)) / (12 - month)
        base = actual_cum[-1] if actual_cum else 0
        forecast += [str((base + step * (i + 1)).quantize(forecast_year_end)) for i in range(12 - month)]
    return {
        "plan": _money_str(series["plan"]),
        "actual": _money_str(series["actual"]),
        "planCumulative": _money_str(series["plan_cumulative"]),
        "actualCumulative": _money_str(actual_cum),
        "forecast": forecast,
        "throughMonth": month,
        "labels": _chart_labels(year),
    }


def _flag_badge(value: Flag) -> dict:
    return {"value": value.value, "label": value.label, "color": value.color}


def _risk_badge(value: Risk) -> dict:
    return {"value": value.value, "label": value.label, "color": value.color}


def _status_badge(status: str) -> dict:
    member = ReportStatus(status)
    return {"value": member.value, "label": member.label, "color": member.color}


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


# ---- dashboard ----


def _group_link(group_by: str, key: str, year: int, month: int) -> str | None:
    """The ledger rows behind a group (ProjectFilterSet parameters)."""
    if not key:
        return None
    params = {
        GroupBy.BATCH: {"batch": key, "as_of": month_end(year, month).isoformat()},
        GroupBy.LEADER: {"leader": key},
        GroupBy.UNIT: {"responsible_unit": key},
        GroupBy.INDUSTRY: {"industry": key},
        GroupBy.REGION: {"region": key},
    }[GroupBy(group_by)]
    return f"{reverse('projects:project_list')}?{urlencode(params)}"


@login_required
@require_GET
def dashboard(request):
    """The zone's investment for a year through a month: headline figures, charts, groups with their flags and
    the projects forecast to miss their plan."""
    user = request.user
    visible = Project.objects.restrict(user, Action.VIEW)
    today = timezone.localdate()
    years = sorted(set(charts.plan_years(visible)) | {today.year}, reverse=True)
    form = DashboardForm(request.GET or None, user=user, years=years)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    year = data.get("year") or charts.default_year(visible, today)
    month = data.get("month") or default_through_month(year, today)
    group_by = data.get("group_by") or GroupBy.BATCH
    region = data.get("region")
    if not form.is_bound or not form.is_valid():
        form = DashboardForm(
            initial={"year": year, "month": month, "group_by": group_by, "region": region}, user=user, years=years
        )

    payload = investment_payload(visible, year=year, month=month, group_by=group_by, region=region)
    qs = visible.in_region(region)
    rule = _rule_for(user, region)
    total = payload["total"]
    groups = [
        {
            **g,
            "flag": _flag_badge(flag(g["completion_rate"], month, rule)) if g["projects"] else None,
            "url": _group_link(group_by, g["key"], year, month),
        }
        for g in payload["groups"]
    ]
    series = charts.monthly_series(qs, year=year, through_month=month)
    chart_data = _series_json(series, year=year, month=month, forecast_year_end=total["forecast_year_end"])
    chart_data["groups"] = {
        "names": [str(g["label"]) for g in groups if g["projects"]],
        "completion": [
            None if g["completion_rate"] is None else str(g["completion_rate"]) for g in groups if g["projects"]
        ],
        "colors": [g["flag"]["value"] for g in groups if g["projects"]],
        "elapsed": str(_elapsed_percent(month)),
    }
    behind, behind_count = charts.behind_rows(qs, year=year, month=month, limit=BEHIND_LIMIT)
    for row in behind:
        row["risk_badge"] = _risk_badge(row["risk"])
        row["flag_badge"] = _flag_badge(row["flag"])
    context = {
        "form": form,
        "year": year,
        "month": month,
        "group_by": GroupBy(group_by),
        "region": region,
        "payload": payload,
        "total": total,
        "elapsed_percent": _elapsed_percent(month),
        "total_flag": _flag_badge(flag(total["completion_rate"], month, rule)) if total["projects"] else None,
        "groups": groups,
        "rule": rule,
        "behind": behind,
        "behind_count": behind_count,
        "chart_json": json_script(chart_data, "investment-chart-data"),
        "can_review": _is_reviewer(user),
    }
    return render(request, "investment/dashboard.html", context)


# ---- review queue ----


def _missing_month(visible, today: datetime.date) -> tuple[int, int]:
    """The month whose reports the office is chasing: the last finished one; when nobody has a plan for its year
    (a zone between campaigns, the demo), the latest month anyone reported."""
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    if AnnualPlan.objects.filter(project__in=visible, year=year).exists():
        return year, month
    latest = (
        MonthlyReport.objects.filter(project__in=visible, year__lte=year)
        .exclude(status=ReportStatus.DRAFT)
        .order_by("-year", "-month")
        .values_list("year", "month")
        .first()
    )
    return latest or (year, month)


@login_required
@require_GET
def review_queue(request):
    """Reports waiting for the office's review (oldest first), filterable by month and state, with the return,
    accept and reopen actions; and the projects that have not reported the month."""
    user = request.user
    if not _is_reviewer(user):
        raise PermissionDenied
    today = timezone.localdate()
    form = QueueForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    picked = data.get("month")
    state = data.get("state") or STATE_PENDING

    reports = MonthlyReport.objects.restrict(user, Action.VIEW).exclude(status=ReportStatus.DRAFT)
    if picked:
        reports = reports.filter(year=picked[0], month=picked[1])
    pending_count = reports.filter(status__in=PENDING_STATUSES).count()
    if state == STATE_PENDING:
        reports = reports.filter(status__in=PENDING_STATUSES).order_by("submitted_at", "project__code")
    elif state == STATE_ALL:
        reports = reports.order_by("-year", "-month", "project__code")
    else:
        reports = reports.filter(status=state).order_by("-year", "-month", "project__code")
    reports = annotate_cumulative(
        reports.select_related("project", "project__enterprise", "project__region", "reviewed_by").annotate(
            photo_count=Count("photos")
        )
    )
    page = Paginator(reports, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    report_url = _report_page_url()
    rows = []
    for report in page.object_list:
        rows.append(
            {
                "report": report,
                "status": _status_badge(report.status),
                "pending": report.status in PENDING_STATUSES,
                "accepted": report.status == ReportStatus.ACCEPTED,
                "url": report_url(report.pk),
                "tab_url": reverse("investment:project", args=[report.project_id]) + f"?year={report.year}",
            }
        )

    visible = Project.objects.restrict(user, Action.VIEW)
    missing_year, missing_month = picked or _missing_month(visible, today)
    missing = list(
        services.reports_missing(None, missing_year, missing_month)
        .filter(pk__in=visible)
        .select_related("enterprise", "region")
    )
    rules = rules_for({p.region_id for p in missing})
    missing_rows = []
    for p in missing:
        due = rules[p.region_id].due_date(missing_year, missing_month)
        missing_rows.append({"project": p, "due": due, "overdue": today > due})
    reminders = services.reminders_open(user)
    context = {
        "form": form if form.is_bound else QueueForm(initial={"state": STATE_PENDING}),
        "state": state,
        "picked": picked,
        "page": page,
        "rows": rows,
        "pending_count": pending_count,
        "missing_rows": missing_rows,
        "missing_year": missing_year,
        "missing_month": missing_month,
        "returned_open": reminders.filter(kind=ReminderKind.RETURNED).count(),
        "missing_open": reminders.filter(kind=ReminderKind.MISSING).count(),
        "next": request.get_full_path(),
        "opinion_form": OpinionForm(),
        "reason_form": ReasonForm(),
    }
    return render(request, "investment/review_queue.html", context)


def _review(request, pk: int, action):
    report = get_object_or_404(MonthlyReport.objects.restrict(request.user, Action.VIEW), pk=pk)
    if not services.report_may_review(request.user, report):
        raise PermissionDenied
    try:
        message = action(report)
    except ValidationError as exc:
        messages.error(request, _("Not saved: %(error)s") % {"error": _error_text(exc)})
    else:
        messages.success(request, message)
    return HttpResponseRedirect(_safe_next(request, reverse("investment:review_queue")))


def _what(report: MonthlyReport) -> dict:
    return {"project": report.project.name, "year": report.year, "month": report.month}


@login_required
@require_POST
def review_accept(request, pk: int):
    def accept(report):
        services.report_accept(user=request.user, report=report, opinion=request.POST.get("opinion", ""))
        return _("Accepted: %(project)s, %(year)s-%(month)02d.") % _what(report)

    return _review(request, pk, accept)


@login_required
@require_POST
def review_return(request, pk: int):
    def send_back(report):
        form = OpinionForm(request.POST)
        form.is_valid()
        services.report_return(user=request.user, report=report, opinion=form.cleaned_data.get("opinion", ""))
        return _("Returned with your opinion: %(project)s, %(year)s-%(month)02d.") % _what(report)

    return _review(request, pk, send_back)


@login_required
@require_POST
def review_reopen(request, pk: int):
    def reopen(report):
        form = ReasonForm(request.POST)
        form.is_valid()
        services.report_reopen(user=request.user, report=report, reason=form.cleaned_data.get("reason", ""))
        return _("Reopened for correction: %(project)s, %(year)s-%(month)02d.") % _what(report)

    return _review(request, pk, reopen)


# ---- a project's investment tab ----


def _project_context(request, project: Project, year: int, plan_form: PlanForm | None = None) -> dict:
    user = request.user
    today = timezone.localdate()
    single = Project.objects.filter(pk=project.pk)
    month = default_through_month(year, today)
    plans = list(project.annual_plans.order_by("-year"))
    plan = next((p for p in plans if p.year == year), None)
    years = sorted({p.year for p in plans} | set(charts.plan_years(single)) | {today.year}, reverse=True)

    reports = list(
        annotate_cumulative(
            MonthlyReport.objects.filter(project=project, year=year).select_related("reviewed_by")
        ).annotate(photo_count=Count("photos"))
    )
    by_month = {r.month: r for r in reports}
    series = charts.monthly_series(single, year=year, through_month=12)
    targets = series["plan"]
    report_url = _report_page_url()
    month_rows = []
    for m in range(1, 13):
        report = by_month.get(m)
        month_rows.append(
            {
                "month": m,
                "target": targets[m - 1] if plan else None,
                "plan_cumulative": series["plan_cumulative"][m - 1] if plan else None,
                "actual": series["actual"][m - 1],
                "actual_cumulative": series["actual_cumulative"][m - 1],
                "report": report,
                "status": _status_badge(report.status) if report else None,
                "counted": report is not None and report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED),
                "url": report_url(report.pk) if report else None,
                "elapsed": m <= month,
            }
        )
    row = next(iter(completion_rows(single, year=year, month=month)), None)
    if row is not None:
        row["flag_badge"] = _flag_badge(row["flag"])
        row["risk_badge"] = _risk_badge(row["risk"])
    can_plan = services.plan_may_set(user, project)
    if can_plan and plan_form is None:
        initial = {"year": year, "amount": plan.amount if plan else None, "split": SplitMethod.EVEN}
        if plan is not None:
            initial["split"] = plan.split_method
            for i, value in enumerate(plan.effective_months(), start=1):
                initial[f"month_{i}"] = value
        plan_form = PlanForm(initial=initial)
    chart_data = _series_json(
        {**series, "actual": series["actual"][:month], "actual_cumulative": series["actual_cumulative"][:month]},
        year=year,
        month=month,
        forecast_year_end=row["forecast_year_end"] if row and plan else None,
    )
    return {
        "project": project,
        "year": year,
        "month": month,
        "years": years,
        "plans": plans,
        "plan": plan,
        "plan_method": SplitMethod(plan.split_method) if plan else None,
        "month_rows": month_rows,
        "reports": [r for r in reports if r.status != ReportStatus.DRAFT or can_plan],
        "row": row,
        "elapsed_percent": _elapsed_percent(month),
        "can_plan": can_plan,
        "plan_form": plan_form,
        "can_review": services.report_may_review(user, MonthlyReport(project=project)),
        "pending": PENDING_STATUSES,
        "accepted": ReportStatus.ACCEPTED,
        "chart_json": json_script(chart_data, "investment-chart-data"),
        "next": request.get_full_path(),
        "opinion_form": OpinionForm(),
        "reason_form": ReasonForm(),
    }


def _year_of(request) -> int | None:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


@login_required
@require_GET
def project_investment(request, pk: int):
    """A project's investment for a year: its plan and monthly split (editable by the office), monthly reports,
    completion against 序时进度, the year-end forecast with its reason, and the charts."""
    project = _visible_project(request, pk)
    single = Project.objects.filter(pk=project.pk)
    year = _year_of(request) or charts.default_year(single)
    return render(request, "investment/project.html", _project_context(request, project, year))


@login_required
@require_POST
def project_plan(request, pk: int):
    """Set a project's annual plan and its split (plan_set). A refused plan (a manual split that does not sum to
    the amount, a negative month …) writes nothing and shows the page again with the error."""
    project = _visible_project(request, pk)
    if not services.plan_may_set(request.user, project):
        raise PermissionDenied
    form = PlanForm(request.POST)
    year = None
    if form.is_valid():
        year = form.cleaned_data["year"]
        try:
            plan = services.plan_set(
                project=project,
                year=year,
                amount=form.cleaned_data["amount"],
                split=form.cleaned_data["split"],
                months=form.months(),
                user=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Plan for %(year)s saved: %(amount)s 万元, %(method)s split.")
                % {"year": plan.year, "amount": plan.amount, "method": SplitMethod(plan.split_method).label},
            )
            return redirect(f"{reverse('investment:project', args=[project.pk])}?year={plan.year}")
    year = year or form.data.get("year")
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = timezone.localdate().year
    context = _project_context(request, project, year, plan_form=form)
    context["plan_form_open"] = True
    return render(request, "investment/project.html", context)
