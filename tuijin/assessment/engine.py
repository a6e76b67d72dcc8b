"""Scoring a scheme version for a period: the subjects, every indicator's formula and rule, adjustments, totals,
ranks and the red and black lists. Pure computation; services.py stores the result."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from tuijin.accounts.models import Leader, Organization
from tuijin.regions.models import Region

from .choices import RuleType, SubjectKind
from .formulas import REGISTRY, Context, Result
from .rules import q2, score_column, standings

ZERO = Decimal("0.00")


@dataclass
class ItemScore:
    indicator_id: int
    value: Decimal | None
    points: Decimal
    vetoed: bool
    numbers: dict


@dataclass
class SubjectScore:
    key: str
    label: str
    items: list[ItemScore] = field(default_factory=list)
    base: Decimal = ZERO
    adjustment: Decimal = ZERO
    total: Decimal = ZERO
    vetoed: bool = False
    rank: int = 0
    mark: str = ""


def subject_universe(kind: str, region: Region) -> dict[str, str]:
    """Who is scored whatever the figures: the regions directly below the region (every city of a province).
    Units and leaders are scored when some formula counts something of theirs (a department with no project, node,
    task, problem or report in the period has nothing to be scored on)."""
    if kind == SubjectKind.REGIONS:
        return dict(Region.objects.filter(parent=region).order_by("code").values_list("code", "name"))
    return {}


def subject_labels(kind: str, keys: Iterable[str]) -> dict[str, str]:
    keys = [k for k in keys if k]
    if kind == SubjectKind.REGIONS:
        return dict(Region.objects.filter(code__in=keys).values_list("code", "name"))
    model = Leader if kind == SubjectKind.LEADERS else Organization
    ids = [int(k) for k in keys if k.isdigit()]
    return {str(pk): name for pk, name in model.objects.filter(pk__in=ids).values_list("pk", "name")}


def evaluate(indicators: list, ctx: Context) -> list[SubjectScore]:
    """Every subject's value and points on every indicator (in indicator order), before adjustments."""
    columns: list[tuple[object, dict[str, Result]]] = []
    found: set[str] = set()
    for ind in indicators:
        results = REGISTRY[ind.formula].evaluate(ctx, ind.formula_params)
        columns.append((ind, results))
        found.update(results)
    subjects = subject_universe(ctx.subject_kind, ctx.region)
    if ctx.subject_kind == SubjectKind.REGIONS:
        found &= set(subjects)  # rows of the region itself, not of a region below it, score no one
    missing = found - set(subjects)
    if missing:
        subjects.update(subject_labels(ctx.subject_kind, missing))
        subjects.update({k: k for k in missing if k not in subjects})
    scored = {key: SubjectScore(key, label) for key, label in subjects.items()}
    for ind, results in columns:
        spec = REGISTRY[ind.formula]
        values = {}
        for key in scored:
            values[key] = results[key].value if key in results else spec.empty().value
        points = score_column(ind.rule, ind.rule_params, ind.weight, values)
        for key, s in scored.items():
            result = results.get(key) or spec.empty()
            p = points[key]
            s.items.append(ItemScore(ind.pk, result.value, p.points, p.vetoed, result.numbers))
    return list(scored.values())


def finish(subjects: list[SubjectScore], adjustments: Iterable, *, red: int, black: int) -> list[SubjectScore]:
    """Add the adjustments, apply vetoes, rank and mark the lists; sorted by rank, then label."""
    extra: dict[str, Decimal] = {}
    vetoed_by_hand: set[str] = set()
    for a in adjustments:
        extra[a.subject_key] = extra.get(a.subject_key, ZERO) + Decimal(a.points)
        if a.veto:
            vetoed_by_hand.add(a.subject_key)
    for s in subjects:
        s.base = q2(sum((i.points for i in s.items), start=ZERO))
        s.adjustment = q2(extra.get(s.key, ZERO))
        s.vetoed = s.key in vetoed_by_hand or any(i.vetoed for i in s.items)
        s.total = ZERO if s.vetoed else q2(s.base + s.adjustment)
    placed = standings({s.key: s.total for s in subjects}, {s.key for s in subjects if s.vetoed}, red=red, black=black)
    for s in subjects:
        s.rank, s.mark = placed[s.key].rank, placed[s.key].mark
    return sorted(subjects, key=lambda s: (s.rank, s.label, s.key))


def is_veto(indicator) -> bool:
    return indicator.rule == RuleType.VETO
