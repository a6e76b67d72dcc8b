"""Assessment periods by key: `2022-11` (a month), `2022-Q4` (a quarter), `2022` (a year)."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import PeriodKind

_PATTERNS = [
    (re.compile(r"^(\d{4})-(\d{1,2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
]


@dataclass(frozen=True)
class PeriodSpec:
    kind: str
    key: str
    start: datetime.date
    end: datetime.date

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month the period covers."""
        out = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def parse_period(key: str) -> PeriodSpec:
    """The period a key names, or a ValidationError saying how to write one."""
    text = (key or "").strip()
    for pattern, kind in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if not 2000 <= year <= 2100:
            break
        if kind == PeriodKind.YEAR:
            return PeriodSpec(kind, f"{year}", datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        n = int(match.group(2))
        if kind == PeriodKind.QUARTER:
            first = 3 * (n - 1) + 1
            return PeriodSpec(kind, f"{year}-Q{n}", datetime.date(year, first, 1), _month_end(year, first + 2))
        if 1 <= n <= 12:
            return PeriodSpec(kind, f"{year}-{n:02d}", datetime.date(year, n, 1), _month_end(year, n))
        break
    raise ValidationError(
        {
            "period": _(
                "Not an assessment period: “%(key)s”. Write a month as 2022-11, a quarter as 2022-Q4 or a year as 2022."
            )
            % {"key": text}
        }
    )


def period_label(kind: str, start: datetime.date) -> str:
    """How people name the period: 2022年11月, 2022年第四季度, 2022年度 (in the user's language)."""
    if kind == PeriodKind.MONTH:
        return _("%(year)s-%(month)02d") % {"year": start.year, "month": start.month}
    if kind == PeriodKind.QUARTER:
        return _("Q%(quarter)s %(year)s") % {"year": start.year, "quarter": (start.month - 1) // 3 + 1}
    return _("Year %(year)s") % {"year": start.year}
