"""The assessment figures a briefing template may use: `{{ assessment.… }}` (registered with the briefing app's
context providers in AssessmentConfig.ready).

The latest *published* assessment of the briefing's region whose period ended on or before the briefing's day —
a draft is never quoted in a document that goes out. Nothing published yet: `{"available": False}`.
"""

from __future__ import annotations

import datetime

from .choices import AssessmentState, ListMark
from .models import Assessment


def assessment_provider(region, as_of: datetime.date) -> dict:
    assessment = (
        Assessment.objects.filter(region=region, state=AssessmentState.PUBLISHED, period__end__lte=as_of)
        .select_related("version__scheme", "period")
        .order_by("-period__end", "-published_at", "-pk")
        .first()
    )
    if assessment is None:
        return {"available": False}
    scores = list(assessment.scores.order_by("rank", "subject_label"))
    rows = [
        {
            "rank": s.rank,
            "label": s.subject_label,
            "score": s.total,
            "mark": s.mark,
            "vetoed": s.vetoed,
        }
        for s in scores
    ]
    return {
        "available": True,
        "title": assessment.version.scheme.title,
        "scheme": assessment.version.scheme.name,
        "period": assessment.period.key,
        "period_label": str(assessment.period),
        "subjects": rows,
        "count": len(rows),
        "red": [r for r in rows if r["mark"] == ListMark.RED],
        "black": [r for r in rows if r["mark"] == ListMark.BLACK],
    }
