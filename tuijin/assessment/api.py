"""/api/v1/assessment/…: schemes with their versions and indicators, assessments (compute, read, publish) and
adjustments. An assessment reads as `tuijin assess --json` gives it, plus the breakdown.

Everyone signed in except enterprises sees the schemes and the assessments of their region's subtree (ranking,
totals, list marks); a subject's breakdown (indicator labels, weights and the numbers behind each value, the
adjustments) is shown to the office, to the leader it scores and to the users of the unit it scores — for the
others its `items` are empty and `breakdown` is false. Computing, publishing, adjusting: the project office
(403 otherwise; 404 outside what the caller may see; 422 with the reason for bad or refused input, nothing
written).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from tuijin.core.api_auth import visible_or_404
from tuijin.core.permissions import Action
from tuijin.regions.models import Region

from . import services
from .models import Adjustment, Assessment, Scheme
from .periods import parse_period
from .selectors import assessment_detail, scheme_payload, schemes_with_versions

SubjectLit = Literal["units", "leaders", "regions"]


class IndicatorOut(Schema):
    code: str
    label: str
    group: str
    weight: Decimal
    formula: str
    formula_label: str
    unit: str = Field(..., description="%, count or 万元")
    formula_params: dict
    rule: Literal["linear", "per_item", "rank", "veto"]
    rule_params: dict
    order: int


class VersionOut(Schema):
    number: int
    reason: str
    frozen: bool
    total_weight: Decimal
    indicators: list[IndicatorOut]


class SchemeOut(Schema):
    name: str
    title: str
    subject_kind: SubjectLit
    period_kind: str
    description: str
    region: str | None = Field(..., description="owner region code; null for a shipped scheme")
    red_list_size: int
    black_list_size: int
    versions: list[VersionOut]


class VersionIn(Schema):
    reason: str


class ItemOut(Schema):
    indicator: str = Field(..., description="indicator code")
    value: Decimal | None
    points: Decimal
    label: str | None = None
    group: str | None = None
    weight: Decimal | None = None
    rule: str | None = None
    vetoed: bool | None = None
    numbers: dict | None = Field(None, description="numerator, denominator, sums and the ids counted")


class AdjustmentOut(Schema):
    id: int
    points: Decimal
    veto: bool
    reason: str
    entered_by: str
    created: str


class SubjectOut(Schema):
    key: str
    label: str
    score: Decimal
    rank: int
    items: list[ItemOut]
    mark: Literal["red", "black"] | None
    vetoed: bool
    base: Decimal
    adjustment: Decimal
    breakdown: bool = Field(..., description="false: the caller may see the ranking but not this breakdown")
    adjustments: list[AdjustmentOut]


class AssessmentOut(Schema):
    scheme: str
    period: str
    subjects: list[SubjectOut]
    id: int
    title: str
    version: int
    state: Literal["draft", "published"]
    region: str
    region_name: str
    subject_kind: SubjectLit
    period_label: str
    start: datetime.date
    end: datetime.date
    computed_at: str | None
    published_at: str | None
    red_list: list[str]
    black_list: list[str]


class AssessmentSummary(Schema):
    id: int
    scheme: str
    title: str
    version: int
    period: str
    period_label: str
    region: str
    subject_kind: SubjectLit
    state: Literal["draft", "published"]
    computed_at: datetime.datetime | None
    published_at: datetime.datetime | None


class AssessmentIn(Schema):
    scheme: str
    period: str = Field(..., description="2022-11, 2022-Q4 or 2022")
    subjects: SubjectLit | None = Field(None, description="default: the scheme's")
    region: str | None = Field(None, description="region code (default: the caller's region)")


class AdjustmentIn(Schema):
    subject: str = Field(..., description="subject key or exact name")
    points: Decimal | str = Field(..., description="+ bonus, − penalty")
    reason: str
    veto: bool = False


def _detail(user, assessment: Assessment) -> dict:
    return assessment_detail(
        assessment, may_see_breakdown=lambda key: services.breakdown_visible(user, assessment, key)
    )


def _assessments(user):
    return Assessment.objects.restrict(user, Action.VIEW).select_related("version__scheme", "period", "region")


def _scheme(user, name: str) -> Scheme:
    return visible_or_404(Scheme.objects.all(), user, name=name)


def _region(user, code: str | None):
    if not code:
        return None
    region = Region.objects.restrict(user, Action.VIEW).filter(code=code).first()
    if region is None:
        raise Http404(_("No region with code %(code)s.") % {"code": code})
    return region


router = Router(tags=["assessment"])


@router.get("/assessment/schemes", response=list[SchemeOut], summary="List assessment schemes")
def scheme_list(request):
    """Every scheme with its versions and their indicators (weight, formula, scoring rule)."""
    return [scheme_payload(s) for s in schemes_with_versions(Scheme.objects.restrict(request.auth, Action.VIEW))]


@router.get("/assessment/schemes/{name}", response=SchemeOut, summary="One assessment scheme")
def scheme_get(request, name: str):
    """The scheme with its versions (frozen or not) and each version's indicators, weights and scoring rules."""
    scheme = _scheme(request.auth, name)
    return scheme_payload(schemes_with_versions(Scheme.objects.filter(pk=scheme.pk))[0])


@router.post("/assessment/schemes/{name}/versions", response={201: SchemeOut}, summary="New scheme version")
def scheme_version_add(request, name: str, body: VersionIn):
    """A new version with the current indicators copied and the reason for it (a correction after publishing)."""
    scheme = _scheme(request.auth, name)
    services.scheme_new_version(scheme=scheme, reason=body.reason, user=request.auth)
    return 201, scheme_payload(schemes_with_versions(Scheme.objects.filter(pk=scheme.pk))[0])


@router.get("/assessment/assessments", response=list[AssessmentSummary], summary="List assessments")
def assessment_list(
    request,
    scheme: str | None = None,
    period: str | None = None,
    state: Literal["draft", "published"] | None = None,
):
    """The assessments the caller may see, filtered by scheme name, period (2022-11, 2022-Q4, 2022) and state."""
    qs = _assessments(request.auth)
    if scheme:
        qs = qs.filter(version__scheme__name=scheme)
    if period:
        qs = qs.filter(period__key=parse_period(period).key)
    if state:
        qs = qs.filter(state=state)
    return [
        {
            "id": a.pk,
            "scheme": a.version.scheme.name,
            "title": a.version.scheme.title,
            "version": a.version.number,
            "period": a.period.key,
            "period_label": str(a.period),
            "region": a.region.code,
            "subject_kind": a.subject_kind,
            "state": a.state,
            "computed_at": a.computed_at,
            "published_at": a.published_at,
        }
        for a in qs
    ]


@router.post("/assessment/assessments", response=AssessmentOut, summary="Compute an assessment")
def assessment_compute(request, body: AssessmentIn):
    """Compute (or recompute: idempotent) the draft of the scheme's current version for the period. A published
    one is read-only (422): correct it through a new version."""
    user = request.auth
    scheme = _scheme(user, body.scheme)
    kind = body.subjects or scheme.subject_kind
    region = _region(user, body.region) or services.resolve_region(None, kind, user)
    assessment = services.assessment_compute(scheme=scheme, period=body.period, region=region, subjects=kind, user=user)
    return _detail(user, _assessments(user).get(pk=assessment.pk))


@router.get("/assessment/assessments/{assessment_id}", response=AssessmentOut, summary="One assessment")
def assessment_get(request, assessment_id: int):
    """Scores and ranks with the red and black lists; each subject's breakdown for those allowed to see it."""
    return _detail(request.auth, visible_or_404(_assessments(request.auth), request.auth, pk=assessment_id))


@router.post("/assessment/assessments/{assessment_id}/publish", response=AssessmentOut, summary="Publish")
def assessment_publish(request, assessment_id: int):
    """Read-only from now on; its scheme version is frozen."""
    user = request.auth
    assessment = visible_or_404(_assessments(user), user, pk=assessment_id)
    services.assessment_publish(assessment=assessment, user=user)
    return _detail(user, _assessments(user).get(pk=assessment.pk))


@router.post(
    "/assessment/assessments/{assessment_id}/adjustments",
    response={201: AssessmentOut},
    summary="Add bonus or penalty points",
)
def adjustment_add(request, assessment_id: int, body: AdjustmentIn):
    """Bonus (+) or penalty (−) points for one subject, with the reason, or a veto (一票否决); a draft only."""
    user = request.auth
    assessment = visible_or_404(_assessments(user), user, pk=assessment_id)
    services.adjustment_add(
        assessment=assessment, subject=body.subject, points=body.points, reason=body.reason, veto=body.veto, user=user
    )
    return 201, _detail(user, _assessments(user).get(pk=assessment.pk))


@router.delete("/assessment/adjustments/{adjustment_id}", response={204: None}, summary="Remove an adjustment")
def adjustment_delete(request, adjustment_id: int):
    """Remove a bonus, penalty or veto from a draft assessment (recorded in the change log)."""
    user = request.auth
    adjustment = visible_or_404(Adjustment.objects.select_related("assessment"), user, pk=adjustment_id)
    services.adjustment_delete(adjustment=adjustment, user=user)
    return 204, None
