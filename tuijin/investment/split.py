"""Splitting an annual plan into twelve monthly targets: pure Decimal arithmetic, no database.

Every split is in 万元 with two decimals, never negative, and sums exactly to the annual amount: months are
rounded down to the cent and the residue goes to December (the last month).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from tuijin.core.fields import CENT

MONTHS = range(1, 13)

# The default seasonal profile: light in the first quarter (Spring Festival, cold weather), steady through the
# year, and heavy in December, when projects book the year's investment. Weights, not shares: any positive
# numbers; a zone edits its own (SeasonalProfile.weights).
DEFAULT_WEIGHTS: tuple[int, ...] = (4, 5, 7, 8, 8, 8, 8, 8, 9, 9, 10, 16)


def split_by_weights(amount: Decimal, weights: Sequence[int | Decimal | float | str]) -> list[Decimal]:
    """`amount` split in proportion to twelve non-negative weights (not all zero); the residue goes to December."""
    if len(weights) != 12:
        raise ValueError("a split needs twelve weights")
    ws = [Decimal(str(w)) for w in weights]
    if any(w < 0 for w in ws) or sum(ws) <= 0:
        raise ValueError("weights must be non-negative and not all zero")
    amount = Decimal(amount).quantize(CENT)
    if amount < 0:
        raise ValueError("the amount cannot be negative")
    total = sum(ws)
    months = [(amount * w / total).quantize(CENT, rounding=ROUND_DOWN) for w in ws[:11]]
    months.append(amount - sum(months, Decimal("0.00")))
    return months


def split_even(amount: Decimal) -> list[Decimal]:
    """Twelve equal months (to the cent), December taking the residue. The SQL of the selectors does the same:
    plan to date through month M = M × floor(amount ÷ 12) for M < 12."""
    amount = Decimal(amount).quantize(CENT)
    cents = int(amount * 100)
    month = Decimal(cents // 12) / 100
    months = [month.quantize(CENT)] * 11
    months.append((amount - month * 11).quantize(CENT))
    return months


def shares_from_weights(weights: Sequence) -> list[float]:
    """Twelve shares summing to 1 (for forecasts; not money)."""
    ws = [float(w) for w in weights]
    total = sum(ws)
    return [w / total for w in ws] if total > 0 else [1 / 12] * 12


def cumulative(shares: Sequence[float], month: int) -> float:
    """The share of the year's investment expected through `month` (0 → 0, 12 → 1)."""
    if month <= 0:
        return 0.0
    return 1.0 if month >= 12 else float(sum(shares[:month]))
