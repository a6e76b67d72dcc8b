"""The working-day calendar: Monday to Friday work, Saturday and Sunday off, unless a day is listed.

Listed days (CalendarDay rows, shipped from fixtures/holidays.json and editable per year) override the weekend
rule both ways: public holidays are off, adjusted working weekends (调休) are work days.

`WorkCalendar` is pure Python over date ordinals, so the scheduling engine never touches the ORM. Every
operation is an O(1) array look-up: `cum[i]` counts the work days before day `base + i`, `work_days[k]` is
the ordinal of the k-th work day.
"""

from __future__ import annotations

import datetime
import json
from array import array
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

FIXTURE = Path(__file__).with_name("fixtures") / "holidays.json"

# The span the arrays cover. Dates outside it are an error, not a silent weekend-only guess.
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2060, 12, 31)


class CalendarRangeError(ValueError):
    pass


class WorkCalendar:
    """Working-day arithmetic on date ordinals (`datetime.date.toordinal()`)."""

    __slots__ = ("base", "end", "cum", "work_days", "_is_work")

    def __init__(
        self,
        overrides: Mapping[datetime.date, bool] | None = None,
        first: datetime.date = FIRST_DAY,
        last: datetime.date = LAST_DAY,
    ):
        self.base = first.toordinal()
        self.end = last.toordinal()
        n = self.end - self.base + 1
        first_weekday = first.weekday()
        is_work = bytearray(1 if (first_weekday + i) % 7 < 5 else 0 for i in range(n))
        for day, work in (overrides or {}).items():
            i = day.toordinal() - self.base
            if 0 <= i < n:
                is_work[i] = 1 if work else 0
        cum = array("l", [0]) * (n + 1)
        work_days = array("l")
        count = 0
        for i in range(n):
            cum[i] = count
            if is_work[i]:
                work_days.append(self.base + i)
                count += 1
        cum[n] = count
        self._is_work = bytes(is_work)
        self.cum = cum
        self.work_days = work_days

    def _index(self, t: int) -> int:
        i = t - self.base
        if i < 0 or t > self.end:
            raise CalendarRangeError(datetime.date.fromordinal(max(t, 1)).isoformat())
        return i

    # The hot operations check the range inline: they run a few times per node, 400,000 nodes a benchmark.

    def is_work(self, t: int) -> bool:
        return bool(self._is_work[self._index(t)])

    def next_work(self, t: int) -> int:
        """The first work day on or after `t`."""
        i = t - self.base
        if i < 0 or t > self.end:
            self._index(t)
        return self.work_days[self.cum[i]]

    def prev_work(self, t: int) -> int:
        """The last work day on or before `t`."""
        i = t - self.base
        if i < 0 or t > self.end:
            self._index(t)
        k = self.cum[i + 1] - 1
        if k < 0:
            raise CalendarRangeError(datetime.date.fromordinal(t).isoformat())
        return self.work_days[k]

    def add(self, t: int, n: int) -> int:
        """The work day `n` work days after work day `t` (`n` may be negative)."""
        i = t - self.base
        if i < 0 or t > self.end:
            self._index(t)
        k = self.cum[i] + n
        if k < 0 or k >= len(self.work_days):
            raise CalendarRangeError(datetime.date.fromordinal(t).isoformat())
        return self.work_days[k]

    def between(self, a: int, b: int) -> int:
        """Work days in (a, b] when b ≥ a, minus those in (b, a] otherwise; for work days a, b: b's index − a's."""
        return self.cum[self._index(b) + 1] - self.cum[self._index(a) + 1]

    def count(self, first: datetime.date, last: datetime.date) -> int:
        """Work days from `first` to `last`, both included."""
        return self.cum[self._index(last.toordinal()) + 1] - self.cum[self._index(first.toordinal())]


def fixture_days(path: Path = FIXTURE, years: Iterable[int] | None = None) -> list[tuple[datetime.date, bool, str]]:
    """(date, is_workday, name) for every listed day in the shipped holiday file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    wanted = {int(y) for y in years} if years is not None else None
    days: dict[datetime.date, tuple[bool, str]] = {}
    for year, spec in data["years"].items():
        if wanted is not None and int(year) not in wanted:
            continue
        for first, last, name in spec.get("off", []):
            day, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
            while day <= end:
                days[day] = (False, name)
                day += datetime.timedelta(days=1)
        for date, name in spec.get("work", []):
            days[datetime.date.fromisoformat(date)] = (True, name)
    return [(d, work, name) for d, (work, name) in sorted(days.items())]


@lru_cache(maxsize=4)
def _cached(version: tuple) -> WorkCalendar:
    from .models import CalendarDay

    return WorkCalendar(dict(CalendarDay.objects.values_list("date", "is_workday")))


def load_calendar() -> WorkCalendar:
    """The calendar as the CalendarDay table holds it now (rebuilt only when the table changed)."""
    from django.db.models import Count, Max

    from .models import CalendarDay

    agg = CalendarDay.objects.aggregate(n=Count("id"), last=Max("last_updated"), top=Max("id"))
    return _cached((agg["n"], agg["last"], agg["top"]))
