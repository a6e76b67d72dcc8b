"""Reads: an assessment as the CLI and API give it, schemes with their versions and indicators."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch

from .formulas import REGISTRY
from .models import Assessment, Indicator, Scheme, SchemeVersion, Score, ScoreItem
from .rules import q2


def _num(value) -> Decimal | None:
    return None if value is None else q2(value)


def scores_of(assessment: Assessment) -> list[Score]:
    items = ScoreItem.objects.select_related("indicator").order_by("indicator__order", "indicator_id")
    return list(
        assessment.scores.order_by("rank", "subject_label", "subject_key").prefetch_related(
            Prefetch("items", queryset=items)
        )
    )


def assessment_payload(assessment: Assessment, *, scores: list[Score] | None = None) -> dict:
    """The contract of `tuijin assess --json`: {"scheme", "period", "subjects": [{"key", "label", "score", "rank",
    "items": [{"indicator", "value", "points"}]}]}, numbers with two decimals, best first."""
    scores = scores_of(assessment) if scores is None else scores
    return {
        "scheme": assessment.version.scheme.name,
        "period": assessment.period.key,
        "subjects": [
            {
                "key": s.subject_key,
                "label": s.subject_label,
                "score": _num(s.total),
                "rank": s.rank,
                "items": [
                    {"indicator": i.indicator.code, "value": _num(i.value), "points": _num(i.points)}
                    for i in s.items.all()
                ],
            }
            for s in scores
        ],
    }


def assessment_detail(assessment: Assessment, *, may_see_breakdown) -> dict:
    """The CLI's JSON plus what a page or the API shows: the run (version, state, region, subjects, when), each
    subject's list mark, veto, indicator points and adjustments, and, where `may_see_breakdown(subject_key)`
    allows, each indicator's label, weight and the numbers behind the value; otherwise `items` is empty."""
    scores = scores_of(assessment)
    payload = assessment_payload(assessment, scores=scores)
    adjustments: dict[str, list] = {}
    for a in assessment.adjustments.select_related("entered_by").order_by("id"):
        adjustments.setdefault(a.subject_key, []).append(
            {
                "id": a.pk,
                "points": _num(a.points),
                "veto": a.veto,
                "reason": a.reason,
                "entered_by": str(a.entered_by) if a.entered_by else "",
                "created": a.created.isoformat(),
            }
        )
    for subject, score in zip(payload["subjects"], scores, strict=True):
        visible = may_see_breakdown(score.subject_key)
        subject.update(
            {
                "mark": score.mark or None,
                "vetoed": score.vetoed,
                "base": _num(score.base),
                "adjustment": _num(score.adjustment),
                "breakdown": visible,
            }
        )
        if visible:
            for out, item in zip(subject["items"], score.items.all(), strict=True):
                out.update(
                    {
                        "label": item.indicator.label,
                        "group": item.indicator.group,
                        "weight": _num(item.indicator.weight),
                        "rule": item.indicator.rule,
                        "vetoed": item.vetoed,
                        "numbers": item.numbers,
                    }
                )
            subject["adjustments"] = adjustments.get(score.subject_key, [])
        else:
            subject["items"] = []
            subject["adjustments"] = []
    version = assessment.version
    payload.update(
        {
            "id": assessment.pk,
            "title": version.scheme.title,
            "version": version.number,
            "state": assessment.state,
            "region": assessment.region.code,
            "region_name": assessment.region.name,
            "subject_kind": assessment.subject_kind,
            "period_label": str(assessment.period),
            "start": assessment.period.start,
            "end": assessment.period.end,
            "computed_at": assessment.computed_at.isoformat() if assessment.computed_at else None,
            "published_at": assessment.published_at.isoformat() if assessment.published_at else None,
            "red_list": [s["key"] for s in payload["subjects"] if s["mark"] == "red"],
            "black_list": [s["key"] for s in payload["subjects"] if s["mark"] == "black"],
        }
    )
    return payload


def indicator_payload(i: Indicator) -> dict:
    spec = REGISTRY.get(i.formula)
    return {
        "code": i.code,
        "label": i.label,
        "group": i.group,
        "weight": _num(i.weight),
        "formula": i.formula,
        "formula_label": str(spec.label) if spec else i.formula,
        "unit": spec.unit if spec else "",
        "formula_params": i.formula_params,
        "rule": i.rule,
        "rule_params": i.rule_params,
        "order": i.order,
    }


def schemes_with_versions(qs) -> list[Scheme]:
    indicators = Indicator.objects.order_by("order", "id")
    versions = SchemeVersion.objects.order_by("number").prefetch_related(Prefetch("indicators", queryset=indicators))
    return list(qs.select_related("region").prefetch_related(Prefetch("versions", queryset=versions)))


def scheme_payload(scheme: Scheme) -> dict:
    return {
        "name": scheme.name,
        "title": scheme.title,
        "subject_kind": scheme.subject_kind,
        "period_kind": scheme.period_kind,
        "description": scheme.description,
        "region": scheme.region.code if scheme.region_id else None,
        "red_list_size": scheme.red_list_size,
        "black_list_size": scheme.black_list_size,
        "versions": [
            {
                "number": v.number,
                "reason": v.reason,
                "frozen": v.frozen,
                "total_weight": _num(sum((i.weight for i in v.indicators.all()), start=Decimal(0))),
                "indicators": [indicator_payload(i) for i in v.indicators.all()],
            }
            for v in scheme.versions.all()
        ],
    }
