"""Seasonal profiles: which monthly shares a zone's plans are split by and its forecasts are scaled by.

A zone's own shares, measured from its monthly reports, once it has two or more complete years of them
(a complete year: reports in all twelve months); else the zone's editable profile (SeasonalProfile.weights,
the nearest ancestor's when the zone has none); else the built-in default, light in Q1 and heavy in December.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum

from tuijin.regions.models import Region

from .choices import COUNTED_STATUSES
from .split import DEFAULT_WEIGHTS, shares_from_weights

MIN_YEARS = 2  # complete years of reports before a zone's own shares are trusted
MAX_YEARS = 3  # the most recent years measured


@dataclass(frozen=True)
class Profile:
    shares: tuple[float, ...]  # twelve shares summing to 1
    source: str  # "measured" | "profile" | "default"
    years: tuple[int, ...] = ()

    @property
    def weights(self) -> list:
        return list(self.shares)


DEFAULT_PROFILE = Profile(tuple(shares_from_weights(DEFAULT_WEIGHTS)), "default")


def measure(region_ids: list[int], before_year: int) -> dict[int, Profile]:
    """Each zone's own shares from its reports in complete years before `before_year` (zones with fewer than
    MIN_YEARS complete years are left out). A zone's reports are those of projects in it and below it."""
    from .models import MonthlyReport

    regions = {r.pk: r for r in Region.objects.filter(pk__in=region_ids)}
    out: dict[int, Profile] = {}
    for rid, region in regions.items():
        rows = (
            MonthlyReport.objects.filter(
                project__region__path__startswith=region.path,
                year__lt=before_year,
                year__gte=before_year - 10,
                status__in=COUNTED_STATUSES,
            )
            .order_by()
            .values("year", "month")
            .annotate(total=Sum("invested"))
        )
        by_year: dict[int, dict[int, float]] = defaultdict(dict)
        for r in rows:
            by_year[r["year"]][r["month"]] = float(r["total"] or 0)
        complete = sorted(
            (y for y, months in by_year.items() if len(months) == 12 and sum(months.values()) > 0), reverse=True
        )[:MAX_YEARS]
        if len(complete) < MIN_YEARS:
            continue
        # Each year weighs the same whatever its size: average the years' shares.
        shares = [0.0] * 12
        for y in complete:
            total = sum(by_year[y].values())
            for m in range(12):
                shares[m] += by_year[y][m + 1] / total / len(complete)
        out[rid] = Profile(tuple(shares), "measured", tuple(sorted(complete)))
    return out


def stored_profiles(region_ids, year: int) -> dict[int, Profile]:
    """The profile for each region from what is stored (no report scan): measured shares kept by
    `services.seasonal_profile_refresh` when they were measured on years before `year`, else the nearest
    SeasonalProfile's weights, else the default."""
    from .models import SeasonalProfile

    regions = list(Region.objects.filter(pk__in=list(region_ids)).only("pk", "path"))
    codes = {c for r in regions for c in r.path.strip("/").split("/")}
    profiles = {
        p.region.code: p for p in SeasonalProfile.objects.select_related("region").filter(region__code__in=codes)
    }
    out = {}
    for r in regions:
        chain = r.path.strip("/").split("/")[::-1]  # the region itself first, then its ancestors
        own = profiles.get(chain[0])
        if own and own.derived and len(own.derived_years) >= MIN_YEARS and max(own.derived_years) < year:
            out[r.pk] = Profile(tuple(own.derived), "measured", tuple(own.derived_years))
            continue
        nearest = next((profiles[c] for c in chain if c in profiles), None)
        out[r.pk] = Profile(tuple(shares_from_weights(nearest.weights)), "profile") if nearest else DEFAULT_PROFILE
    return out


def fresh_profiles(region_ids, year: int) -> dict[int, Profile]:
    """Like `stored_profiles`, but measuring each zone's reports now (for a split, or a backtest)."""
    region_ids = list(region_ids)
    out = stored_profiles(region_ids, year)
    for rid, profile in measure(region_ids, year).items():
        out[rid] = profile
    for rid, profile in list(out.items()):
        if profile.source == "measured" and max(profile.years) >= year:  # never look ahead
            out[rid] = DEFAULT_PROFILE
    return out
