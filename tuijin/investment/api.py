"""/api/v1/ for investment: annual plans and their monthly split, monthly reports (CRUD, submit/return/accept/
reopen, photos), reminders, per-project completion, and GET /stats/investment (the statistics contract).

Every read goes through `restrict(user, "view")` (outside the caller's scope: 404); writes go through the
services, which decide who may write (enterprise users: only their own projects' reports; the project office:
plans and reviews) and refuse bad input with 422 and the field's message, writing nothing.

`build_router()` makes the router; the app mounts `router` (one instance) under /api/v1/. The function exists so
that tests can mount the same endpoints on their own API before the app does.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from tuijin.core.api_auth import visible_or_404
from tuijin.core.permissions import Action
from tuijin.projects.models import Project
from tuijin.regions.models import Region

from . import services
from .choices import GroupBy, ReportStatus, SplitMethod
from .models import AnnualPlan, MonthlyReport, ReportPhoto
from .selectors import annotate_cumulative, completion_rows, default_through_month, investment_payload

MAX_PAGE_SIZE = 500


# ---- schemas ----


class PlanOut(Schema):
    project: int
    project_code: str
    project_name: str
    year: int
    amount: Decimal = Field(..., description="annual plan, 万元")
    split_method: Literal["even", "seasonal", "manual"]
    months: list[Decimal] = Field(..., description="twelve monthly targets (万元), January first; sum = amount")


class PlanIn(Schema):
    amount: Decimal | str = Field(..., description="万元")
    split: Literal["even", "seasonal", "manual"] | None = Field(
        None, description="default: keep the plan's method (even for a new plan)"
    )
    months: list[Decimal | str] | None = Field(None, description="with split=manual: twelve targets summing to amount")


class SplitIn(Schema):
    method: Literal["even", "seasonal", "manual"]
    months: list[Decimal | str] | None = None


class PhotoOut(Schema):
    id: int
    url: str
    thumbnail_url: str
    original_name: str
    width: int
    height: int
    size: int


class ReportOut(Schema):
    id: int
    project: int
    project_code: str
    project_name: str
    year: int
    month: int
    invested: Decimal = Field(..., description="invested this month, 万元")
    year_to_date: Decimal = Field(..., description="cumulative this year through this month (computed), 万元")
    since_start: Decimal = Field(..., description="cumulative since start through this month (computed), 万元")
    progress_note: str
    workers: int | None
    difficulties: str
    status: Literal["draft", "submitted", "returned", "resubmitted", "accepted", "reopened"]
    late: bool
    submitted_at: datetime.datetime | None
    return_count: int
    reopen_count: int
    review_opinion: str
    reviewed_at: datetime.datetime | None
    photos: list[PhotoOut]


class ReportPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ReportOut]


class ReportIn(Schema):
    project: int = Field(..., description="project id")
    year: int
    month: int
    invested: Decimal | str = Field(..., description="invested this month, 万元")
    progress_note: str | None = None
    workers: int | None = None
    difficulties: str | None = None
    submit: bool = Field(
        False,
        description="true: save and submit in one request, all or nothing (as POST …/{id}/submit would: "
        "submitted, or resubmitted after a return or reopening; late after the zone's reporting window)",
    )


class ReportPatch(Schema):
    invested: Decimal | str | None = None
    progress_note: str | None = None
    workers: int | None = None
    difficulties: str | None = None


class OpinionIn(Schema):
    opinion: str = ""


class ReasonIn(Schema):
    reason: str


class ReminderOut(Schema):
    id: int
    project: int
    project_name: str
    year: int
    month: int
    kind: Literal["missing", "returned"]
    due_on: datetime.date


class MissingOut(Schema):
    id: int
    code: str
    name: str
    enterprise_name: str


class Risks(Schema):
    on_track: int
    at_risk: int
    off_track: int


class Group(Schema):
    key: str
    label: str
    projects: int
    annual_plan: Decimal
    plan_to_date: Decimal
    invested_to_date: Decimal
    completion_rate: Decimal | None = Field(..., description="percent of the annual plan")
    gap_points: Decimal | None = Field(..., description="completion rate − 序时进度, points (negative: behind)")
    forecast_year_end: Decimal
    risk: Risks


class InvestmentStats(Schema):
    year: int
    through_month: int
    unit: Literal["万元"]
    elapsed_share: Decimal
    groups: list[Group]
    total: Group


class CompletionRow(Schema):
    project: int
    project_code: str
    project_name: str
    annual_plan: Decimal | None
    plan_to_date: Decimal
    invested_to_date: Decimal
    completion_rate: Decimal | None
    gap_points: Decimal | None
    flag: Literal["green", "yellow", "red"]
    forecast_year_end: Decimal
    risk: Literal["on_track", "at_risk", "off_track"]
    reason: str


class CompletionPage(Schema):
    year: int
    through_month: int
    count: int
    items: list[CompletionRow]


class StatsQuery(Schema):
    year: int | None = Field(None, description="default: this year")
    month: int | None = Field(None, ge=1, le=12, description="through this month (default: the last finished one)")
    group_by: Literal["batch", "leader", "unit", "industry", "region"] = "batch"
    region: str | None = Field(None, description="region code (its subtree)")


class ReportQuery(Schema):
    year: int | None = None
    month: int | None = Field(None, ge=1, le=12)
    status: Literal["draft", "submitted", "returned", "resubmitted", "accepted", "reopened"] | None = None
    project: int | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


# ---- helpers ----


def _plan_out(plan: AnnualPlan) -> dict:
    return {
        "project": plan.project_id,
        "project_code": plan.project.code,
        "project_name": plan.project.name,
        "year": plan.year,
        "amount": plan.amount,
        "split_method": plan.split_method,
        "months": plan.effective_months(),
    }


def _photo_out(photo: ReportPhoto) -> dict:
    return {
        "id": photo.pk,
        "url": photo.image.url,
        "thumbnail_url": photo.thumbnail.url,
        "original_name": photo.original_name,
        "width": photo.width,
        "height": photo.height,
        "size": photo.size,
    }


def _reports(user):
    return annotate_cumulative(MonthlyReport.objects.restrict(user, Action.VIEW).select_related("project"))


def _report_out(report: MonthlyReport) -> dict:
    """A report as the API shows it. The services' writes return it with its cumulative figures already (one query
    fewer); a report just created has no photos yet."""
    if not hasattr(report, "year_to_date"):
        report = annotate_cumulative(MonthlyReport.objects.select_related("project")).get(pk=report.pk)
    out = {
        f: getattr(report, f)
        for f in (
            "id",
            "year",
            "month",
            "invested",
            "year_to_date",
            "since_start",
            "progress_note",
            "workers",
            "difficulties",
            "status",
            "late",
            "submitted_at",
            "return_count",
            "reopen_count",
            "review_opinion",
            "reviewed_at",
        )
    }
    out.update(
        project=report.project_id,
        project_code=report.project.code,
        project_name=report.project.name,
        photos=[] if getattr(report, "just_created", False) else [_photo_out(p) for p in report.photos.all()],
    )
    return out


def _region(user, code: str | None):
    if not code:
        return None
    region = Region.objects.restrict(user, Action.VIEW).filter(code=code).first()
    if region is None:
        raise Http404(_("No region with code %(code)s.") % {"code": code})
    return region


def build_router() -> Router:  # noqa: C901 - a list of endpoints
    router = Router(tags=["investment"])

    # ---- plans ----

    @router.get("/investment/plans", response=list[PlanOut], summary="List annual plans")
    def plan_list(request, year: int | None = None, project: int | None = None):
        """Annual plans the caller may see, with their twelve monthly targets (an unsplit or stale split shows
        as even, as the statistics count it)."""
        qs = (
            AnnualPlan.objects.restrict(request.auth, Action.VIEW)
            .select_related("project")
            .order_by("project__code", "year")
        )
        if year is not None:
            qs = qs.filter(year=year)
        if project is not None:
            qs = qs.filter(project_id=project)
        return [_plan_out(p) for p in qs[:5000]]

    @router.get(
        "/investment/plans/{int:project_id}/{int:year}",
        response=PlanOut,
        summary="Get an annual plan",
        description="A project's plan for one year (万元) with its twelve monthly targets and split method.",
    )
    def plan_detail(request, project_id: int, year: int):
        return _plan_out(
            visible_or_404(AnnualPlan.objects.select_related("project"), request.auth, project_id=project_id, year=year)
        )

    @router.put("/investment/plans/{int:project_id}/{int:year}", response=PlanOut, summary="Set an annual plan")
    def plan_put(request, project_id: int, year: int, payload: PlanIn):
        """Set the plan (万元) and split it: even, seasonal (the zone's profile) or manual (twelve `months`
        summing to `amount`). Project office only."""
        project = visible_or_404(Project.objects.all(), request.auth, pk=project_id)
        plan = services.plan_set(
            project=project,
            year=year,
            amount=payload.amount,
            split=payload.split,
            months=payload.months,
            user=request.auth,
        )
        return _plan_out(plan)

    @router.post(
        "/investment/plans/{int:project_id}/{int:year}/split",
        response=PlanOut,
        summary="Split an annual plan by month",
        description="Even, seasonal (the zone's profile) or manual (twelve targets that sum to the plan). Office only.",
    )
    def plan_split(request, project_id: int, year: int, payload: SplitIn):
        plan = visible_or_404(
            AnnualPlan.objects.select_related("project"), request.auth, project_id=project_id, year=year
        )
        plan = services.plan_split(
            plan=plan, method=SplitMethod(payload.method), months=payload.months, user=request.auth
        )
        return _plan_out(plan)

    # ---- reports ----

    @router.get("/investment/reports", response=ReportPage, summary="List monthly reports")
    def report_list(request, params: Query[ReportQuery]):
        """Monthly reports the caller may see (an enterprise: its own projects'), newest month first, with
        cumulative figures computed."""
        qs = _reports(request.auth)
        for key in ("year", "month", "status"):
            if getattr(params, key) is not None:
                qs = qs.filter(**{key: getattr(params, key)})
        if params.project is not None:
            qs = qs.filter(project_id=params.project)
        qs = qs.order_by("-year", "-month", "project__code").prefetch_related("photos")
        start = (params.page - 1) * params.page_size
        return {
            "count": qs.count(),
            "page": params.page,
            "page_size": params.page_size,
            "items": [_report_out(r) for r in qs[start : start + params.page_size]],
        }

    @router.post("/investment/reports", response={200: ReportOut, 201: ReportOut}, summary="Report a month")
    def report_add(request, payload: ReportIn):
        """Create the project's report for the month, or edit it when there is one already (one report per
        project-month; the change log keeps what it said). 201 when created, 200 when edited.

        With `"submit": true` the report is saved and submitted in one transaction (one request instead of this
        and POST /investment/reports/{id}/submit): the answer is the submitted report; on any refusal nothing is
        written."""
        project = visible_or_404(Project.objects.select_related("region"), request.auth, pk=payload.project)
        report = services.report_save(
            user=request.auth,
            project=project,
            year=payload.year,
            month=payload.month,
            invested=payload.invested,
            progress_note=payload.progress_note,
            workers=payload.workers,
            difficulties=payload.difficulties,
            submit=payload.submit,
        )
        return (201 if report.just_created else 200), _report_out(report)

    @router.get(
        "/investment/reports/{int:report_id}",
        response=ReportOut,
        summary="Get a monthly report",
        description="One project-month: invested, cumulative figures (computed), progress, photos and review state.",
    )
    def report_detail(request, report_id: int):
        return _report_out(visible_or_404(_reports(request.auth), request.auth, pk=report_id))

    @router.patch(
        "/investment/reports/{int:report_id}",
        response=ReportOut,
        summary="Change a monthly report",
        description="Edit a report that is a draft, returned or reopened; accepted months are locked.",
    )
    def report_edit(request, report_id: int, payload: ReportPatch):
        report = visible_or_404(MonthlyReport.objects.select_related("project__region"), request.auth, pk=report_id)
        data = payload.dict(exclude_unset=True)
        report = services.report_save(
            user=request.auth,
            project=report.project,
            year=report.year,
            month=report.month,
            invested=data.get("invested", report.invested),
            progress_note=data.get("progress_note"),
            workers=data.get("workers"),
            difficulties=data.get("difficulties"),
        )
        return _report_out(report)

    @router.delete(
        "/investment/reports/{int:report_id}",
        response={204: None},
        summary="Delete a draft report",
        description="Only a draft can be deleted; submitted reports stay on record.",
    )
    def report_remove(request, report_id: int):
        report = visible_or_404(MonthlyReport.objects.select_related("project"), request.auth, pk=report_id)
        services.report_delete(user=request.auth, report=report)
        return 204, None

    def _action(request, report_id: int, fn, **kwargs):
        report = visible_or_404(MonthlyReport.objects.select_related("project"), request.auth, pk=report_id)
        return _report_out(fn(user=request.auth, report=report, **kwargs))

    @router.post("/investment/reports/{int:report_id}/submit", response=ReportOut, summary="Submit a report")
    def report_submit(request, report_id: int):
        """Draft → submitted, returned/reopened → resubmitted. After the zone's window it is marked late."""
        return _action(request, report_id, services.report_submit)

    @router.post("/investment/reports/{int:report_id}/return", response=ReportOut, summary="Return a report")
    def report_return(request, report_id: int, payload: OpinionIn):
        """The office sends a submitted report back with its opinion (required)."""
        return _action(request, report_id, services.report_return, opinion=payload.opinion)

    @router.post(
        "/investment/reports/{int:report_id}/accept",
        response=ReportOut,
        summary="Accept a report",
        description="The office accepts a submitted report; the month becomes read-only.",
    )
    def report_accept(request, report_id: int, payload: OpinionIn | None = None):
        return _action(request, report_id, services.report_accept, opinion=payload.opinion if payload else "")

    @router.post(
        "/investment/reports/{int:report_id}/reopen",
        response=ReportOut,
        summary="Reopen an accepted month",
        description="The office reopens an accepted month for correction, with a reason (recorded).",
    )
    def report_reopen(request, report_id: int, payload: ReasonIn):
        return _action(request, report_id, services.report_reopen, reason=payload.reason)

    @router.post("/investment/reports/{int:report_id}/photos", response={201: PhotoOut}, summary="Add a photo")
    def photo_add(request, report_id: int, file: File[UploadedFile]):
        """A site photo (multipart `file`): JPEG or PNG, size-limited, at most nine per report. It is stored
        re-encoded without EXIF/metadata, with a thumbnail."""
        report = visible_or_404(MonthlyReport.objects.select_related("project"), request.auth, pk=report_id)
        return 201, _photo_out(services.photo_add(user=request.auth, report=report, upload=file))

    @router.delete(
        "/investment/reports/{int:report_id}/photos/{int:photo_id}",
        response={204: None},
        summary="Remove a photo",
        description="Remove one photo from a report that may still be edited.",
    )
    def photo_remove(request, report_id: int, photo_id: int):
        photo = visible_or_404(
            ReportPhoto.objects.select_related("report__project"), request.auth, pk=photo_id, report_id=report_id
        )
        services.photo_delete(user=request.auth, photo=photo)
        return 204, None

    # ---- reminders and completion ----

    @router.get("/investment/reminders", response=list[ReminderOut], summary="Reports owed")
    def reminders(request):
        """Open reminders: reports missing after the window, and returned reports to correct (an enterprise sees
        its own projects')."""
        return [
            {
                "id": r.pk,
                "project": r.project_id,
                "project_name": r.project.name,
                "year": r.year,
                "month": r.month,
                "kind": r.kind,
                "due_on": r.due_on,
            }
            for r in services.reminders_open(request.auth)
        ]

    @router.get("/investment/missing", response=list[MissingOut], summary="Projects that have not reported")
    def missing(request, year: int, month: int = Query(..., ge=1, le=12), region: str | None = None):  # noqa: B008
        """Projects with a plan for the year that have no submitted report for the month (what the office
        chases), among the projects the caller may see."""
        visible = Project.objects.restrict(request.auth, Action.VIEW)
        qs = services.reports_missing(_region(request.auth, region), year, month).filter(pk__in=visible)
        return [
            {"id": p.pk, "code": p.code, "name": p.name, "enterprise_name": p.enterprise.name}
            for p in qs.select_related("enterprise")
        ]

    @router.get("/investment/completion", response=CompletionPage, summary="Completion and forecast per project")
    def completion(request, year: int, month: int | None = None, region: str | None = None):
        """Each project's plan, plan to date, invested to date, completion against 序时进度 with its
        red/yellow/green flag, and the year-end forecast with its risk and reason."""
        month = month or default_through_month(year)
        if not 1 <= month <= 12:
            raise PermissionDenied  # pragma: no cover - the schema bounds it
        qs = Project.objects.restrict(request.auth, Action.VIEW).in_region(_region(request.auth, region))
        rows = completion_rows(qs.order_by("code"), year=year, month=month)
        items = [
            {
                **{k: v for k, v in row.items() if k != "project"},
                "project": row["project"].pk,
                "project_code": row["project"].code,
                "project_name": row["project"].name,
            }
            for row in rows
        ]
        return {"year": year, "through_month": month, "count": len(items), "items": items}

    @router.get("/stats/investment", response=InvestmentStats, summary="Investment completion and forecast")
    def stats(request, params: Query[StatsQuery]):
        """The same JSON as `tuijin stats investment --json`: per group (batch, leader, unit, industry or region)
        and in total, the annual plan, plan to date, invested to date (万元, exact), completion rate, gap to
        序时进度 in points, year-end forecast and risk counts. Only projects the caller may see are counted."""
        year = params.year or timezone.localdate().year
        region = _region(request.auth, params.region)
        return investment_payload(
            Project.objects.restrict(request.auth, Action.VIEW),
            year=year,
            month=params.month,
            group_by=GroupBy(params.group_by),
            region=region,
        )

    return router


router = build_router()

__all__ = ["build_router", "router", "ReportStatus"]
