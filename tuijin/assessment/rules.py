"""Scoring rules: how an indicator's values become points, and how totals become ranks and the red and black lists.

Every rule scores a whole column (one indicator, every subject) because ranking needs them all at once:
- linear   {"low", "high", "if_empty"}: value ≤ low → 0, value ≥ high → the full weight, linear between, never more
  than the weight (low > high scores "lower is better"). No value (nothing to divide by): full weight when
  if_empty is "full" (the default: no work due, nothing to deduct), 0 when "zero".
- per_item {"per_item", "cap"}: the value is a count. per_item > 0: per_item points per item up to cap (default:
  the weight); per_item < 0: the full weight less |per_item| per item, at most cap deducted, never below 0.
- rank     {"step", "order"}: 1st gets the full weight, each next rank `step` points less (never below 0); ties
  share the rank (1, 2, 2, 4). order "desc" (default): the highest value ranks first; "asc": the lowest. No value:
  0 points.
- veto     {"op", "threshold"}: a condition on the value (<, <=, >, >=, ==) that zeroes the subject's total
  (一票否决). Carries no points itself: its weight must be 0.
Points are rounded to 0.01 (half up).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import RuleType

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq}


def q2(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Points:
    points: Decimal
    vetoed: bool = False


def _number(params: dict, name: str, *, default=None, required: bool = True) -> Decimal | None:
    raw = params.get(name, default)
    if raw is None:
        if required:
            raise ValidationError(_("The rule needs “%(name)s”.") % {"name": name})
        return None
    if isinstance(raw, bool):
        raise ValidationError(_("“%(name)s” must be a number.") % {"name": name})
    try:
        return Decimal(str(raw))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("“%(name)s” must be a number.") % {"name": name}) from exc


def _choice(params: dict, name: str, choices: tuple, default: str) -> str:
    value = params.get(name, default)
    if value not in choices:
        raise ValidationError(
            _("“%(name)s” must be one of %(choices)s.") % {"name": name, "choices": ", ".join(choices)}
        )
    return value


def _no_extra(params: dict, allowed: set) -> None:
    extra = sorted(set(params) - allowed)
    if extra:
        raise ValidationError(_("Unknown rule parameters: %(names)s.") % {"names": ", ".join(extra)})


def check_params(rule: str, params, weight) -> dict:
    """The rule's parameters, checked and normalised (numbers as strings), or a ValidationError saying what is wrong."""
    if not isinstance(params, dict):
        raise ValidationError(_("Rule parameters must be an object."))
    weight = Decimal(str(weight))
    if rule == RuleType.LINEAR:
        _no_extra(params, {"low", "high", "if_empty"})
        low, high = _number(params, "low"), _number(params, "high")
        if low == high:
            raise ValidationError(_("The two thresholds must differ."))
        return {"low": str(low), "high": str(high), "if_empty": _choice(params, "if_empty", ("full", "zero"), "full")}
    if rule == RuleType.PER_ITEM:
        _no_extra(params, {"per_item", "cap"})
        per = _number(params, "per_item")
        if per == 0:
            raise ValidationError(_("Points per item cannot be 0."))
        cap = _number(params, "cap", required=False)
        if cap is not None and cap <= 0:
            raise ValidationError(_("The cap must be more than 0."))
        out = {"per_item": str(per)}
        if cap is not None:
            out["cap"] = str(cap)
        return out
    if rule == RuleType.RANK:
        _no_extra(params, {"step", "order"})
        step = _number(params, "step")
        if step < 0:
            raise ValidationError(_("The step cannot be negative."))
        return {"step": str(step), "order": _choice(params, "order", ("desc", "asc"), "desc")}
    if rule == RuleType.VETO:
        _no_extra(params, {"op", "threshold"})
        if weight != 0:
            raise ValidationError(_("A veto carries no points: set its weight to 0."))
        return {"op": _choice(params, "op", tuple(OPS), ">="), "threshold": str(_number(params, "threshold"))}
    raise ValidationError(_("No scoring rule “%(rule)s”.") % {"rule": rule})


def competition_ranks(values: dict[str, Decimal], *, descending: bool = True) -> dict[str, int]:
    """1 + how many are strictly better: ties share a rank and the next rank is skipped (1, 2, 2, 4)."""
    ordered = sorted(values.values(), reverse=descending)
    first_at: dict[Decimal, int] = {}
    for i, v in enumerate(ordered, start=1):
        first_at.setdefault(v, i)
    return {k: first_at[v] for k, v in values.items()}


def _linear(value: Decimal | None, weight: Decimal, p: dict) -> Points:
    if value is None:
        return Points(q2(weight) if p["if_empty"] == "full" else ZERO)
    low, high = Decimal(p["low"]), Decimal(p["high"])
    share = (value - low) / (high - low)
    share = min(max(share, Decimal(0)), Decimal(1))
    return Points(q2(weight * share))


def _per_item(value: Decimal | None, weight: Decimal, p: dict) -> Points:
    n = value or Decimal(0)
    per = Decimal(p["per_item"])
    cap = Decimal(p["cap"]) if "cap" in p else weight
    if per > 0:
        return Points(q2(min(n * per, cap, weight)))
    return Points(q2(max(weight + n * per, weight - cap, Decimal(0))))


def score_column(rule: str, params: dict, weight, values: dict[str, Decimal | None]) -> dict[str, Points]:
    """Points for every subject's value of one indicator."""
    weight = Decimal(str(weight))
    p = check_params(rule, params, weight)
    if rule == RuleType.LINEAR:
        return {k: _linear(v, weight, p) for k, v in values.items()}
    if rule == RuleType.PER_ITEM:
        return {k: _per_item(v, weight, p) for k, v in values.items()}
    if rule == RuleType.RANK:
        present = {k: v for k, v in values.items() if v is not None}
        ranks = competition_ranks(present, descending=p["order"] == "desc")
        step = Decimal(p["step"])
        return {k: Points(q2(max(weight - (ranks[k] - 1) * step, Decimal(0))) if k in ranks else ZERO) for k in values}
    compare, threshold = OPS[p["op"]], Decimal(p["threshold"])
    return {k: Points(ZERO, v is not None and compare(v, threshold)) for k, v in values.items()}


@dataclass
class Standing:
    rank: int
    mark: str  # "red", "black" or ""


def standings(totals: dict[str, Decimal], vetoed: set[str], *, red: int, black: int) -> dict[str, Standing]:
    """Ranks by total (ties share), the red list (the top `red` ranks, never a vetoed subject) and the black list
    (the bottom `black` ranks counted from the end, ties sharing, not already on the red list; every vetoed
    subject)."""
    ranks = competition_ranks(totals, descending=True)
    from_bottom = competition_ranks(totals, descending=False)
    out = {}
    for key in totals:
        mark = ""
        if key not in vetoed and ranks[key] <= red:
            mark = "red"
        elif key in vetoed or from_bottom[key] <= black:
            mark = "black"
        out[key] = Standing(ranks[key], mark)
    return out
