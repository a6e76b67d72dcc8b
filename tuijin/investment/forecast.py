"""预判: year-end investment forecast per project, its risk level and the reason in one sentence.

The method (docs/forecast.md): two estimates of the year-end figure, both scaled by the zone's seasonal profile
(S(M) = the profile's cumulative share through month M), blended half and half:

- seasonal: to_date ÷ S(M) — "if the rest of the year follows the zone's usual pattern";
- recent run-rate: to_date + recent × (1 − S(M)) ÷ (S(M) − S(M−k)), recent = the last k = 3 months' investment —
  "if the project keeps the pace of its last three months, adjusted for the season".

Both are linear in (to_date, recent), so the forecast is α·to_date + β·recent with α, β fixed per zone and
month. The statistics evaluate exactly that in SQL, so a group's forecast and its risk counts are computed by
the database, not project by project in Python.

The naive forecast, to_date ÷ (M/12), ignores the December surge and under-forecasts every month before it;
`backtest` measures both.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from tuijin.core.fields import CENT

from .choices import COUNTED_STATUSES, Risk
from .split import cumulative

BLEND = 0.5  # weight of the seasonal estimate; the rest goes to the recent run-rate
RECENT_MONTHS = 3
ON_TRACK_AT = 0.95  # forecast ≥ 95% of the annual plan: on track
OFF_TRACK_BELOW = 0.80  # forecast < 80% of the annual plan: off track; between: at risk


@dataclass(frozen=True)
class Coefficients:
    alpha: float
    beta: float
    window: int  # k, the months of the recent run-rate


def coefficients(shares, month: int) -> Coefficients:
    """α, β of forecast = α·to_date + β·recent for a zone's `shares` after month `month`."""
    if month >= 12:
        return Coefficients(1.0, 0.0, 0)
    if month <= 0:
        return Coefficients(0.0, 0.0, 0)
    k = min(RECENT_MONTHS, month)
    s_m = cumulative(shares, month)
    if s_m <= 1e-9:  # the profile expects nothing yet: fall back on elapsed time
        return Coefficients(12 / month, 0.0, k)
    window = s_m - cumulative(shares, month - k)
    if window <= 1e-9:
        return Coefficients(1 / s_m, 0.0, k)
    alpha = BLEND / s_m + (1 - BLEND)
    beta = (1 - BLEND) * (1 - s_m) / window
    return Coefficients(alpha, beta, k)


def forecast(to_date: Decimal, recent: Decimal, shares, month: int) -> Decimal:
    c = coefficients(shares, month)
    value = c.alpha * float(to_date) + c.beta * float(recent)
    return Decimal(repr(max(value, float(to_date)))).quantize(CENT)


def naive(to_date: Decimal, month: int) -> Decimal:
    return (Decimal(to_date) * 12 / month).quantize(CENT) if month > 0 else Decimal("0.00")


def risk(forecast_value: Decimal | float, plan: Decimal | None) -> Risk:
    """On track when the forecast reaches 95% of the plan, off track below 80%, at risk between."""
    if not plan or plan <= 0:
        return Risk.ON_TRACK
    ratio = float(forecast_value) / float(plan)
    if ratio >= ON_TRACK_AT:
        return Risk.ON_TRACK
    return Risk.AT_RISK if ratio >= OFF_TRACK_BELOW else Risk.OFF_TRACK


def percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(Decimal("0.1"))


def reason(*, month: int, to_date: Decimal, plan: Decimal | None, forecast_value: Decimal) -> str:
    """ "1-8月完成42%，序时67%；按近3个月进度，年底预计完成71%" (in the user's language)."""
    elapsed = round(100 * month / 12)
    if not plan:
        return _("No annual plan; %(amount)s 万元 invested in months 1-%(m)s.") % {"amount": to_date, "m": month}
    done = round(100 * float(to_date) / float(plan))
    expected = round(100 * float(forecast_value) / float(plan))
    if month >= 12:
        return _("Months 1-12: %(done)s%% of the plan completed.") % {"done": done}
    k = min(RECENT_MONTHS, month)
    return _(
        "Months 1-%(m)s: %(done)s%% completed, %(elapsed)s%% of the year elapsed; at the pace of the last "
        "%(k)s months, %(expected)s%% expected by year end."
    ) % {"m": month, "done": done, "elapsed": elapsed, "k": k, "expected": expected}


# ---- backtest ----


def backtest(projects, year: int) -> list[dict]:
    """Replay a finished `year` month by month: forecast each project's year-end investment from what was
    reported through month M (with the seasonal profile measured on the years before), and compare with the
    actual year-end figure. Returns, per month 1–11, the MAPE (%) of the method and of the naive forecast.

    Projects whose year total is zero are left out (no percentage error can be taken on them).
    """
    from .models import MonthlyReport
    from .seasonal import fresh_profiles

    monthly: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 12)
    region_of: dict[int, int] = {}
    rows = MonthlyReport.objects.filter(project__in=projects, year=year, status__in=COUNTED_STATUSES).values_list(
        "project_id", "project__region_id", "month", "invested"
    )
    for pid, rid, month, invested in rows:
        monthly[pid][month - 1] += invested
        region_of[pid] = rid
    profiles = fresh_profiles(set(region_of.values()), year)
    actual = {pid: sum(v) for pid, v in monthly.items() if sum(v) > 0}
    out = []
    for month in range(1, 12):
        errs, naive_errs = [], []
        k = min(RECENT_MONTHS, month)
        for pid, total in actual.items():
            values = monthly[pid]
            to_date = sum(values[:month])
            recent = sum(values[month - k : month])
            shares = profiles[region_of[pid]].shares
            errs.append(abs(float(forecast(to_date, recent, shares, month)) - float(total)) / float(total))
            naive_errs.append(abs(float(naive(to_date, month)) - float(total)) / float(total))
        n = len(errs)
        out.append(
            {
                "month": month,
                "projects": n,
                "mape": round(100 * sum(errs) / n, 2) if n else None,
                "naive_mape": round(100 * sum(naive_errs) / n, 2) if n else None,
            }
        )
    return out
