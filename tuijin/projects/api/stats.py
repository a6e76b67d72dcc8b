"""/api/v1/stats/campaign: the statistics contract, the same JSON as `tuijin stats --json`."""

from __future__ import annotations

import datetime

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tuijin.regions.models import Region

from ..models import Period, Project
from ..selectors import Scope, campaign_payload
from .schemas import CampaignStats

router = Router(tags=["statistics"])


class StatsQuery(Schema):
    as_of: datetime.date | None = Field(None, description="YYYY-MM-DD; default today")
    period: int | None = Field(None, description="period N's list instead of the current portfolio")
    region: str | None = Field(None, description="region code (its subtree)")


@router.get("/stats/campaign", response=CampaignStats, summary="Campaign figures as of a date")
def campaign(request, params: Query[StatsQuery]):
    """Per batch (signed, started, production) and in total: how many projects are in the current portfolio as of
    `as_of` (or in period `period`'s list), their total investment and annual plan for the year of `as_of`
    (万元, exact), and how many have signed, started, gone into production and become effective by `as_of`.
    Only projects the caller may see are counted. Unknown period or region: 404."""
    user = request.auth
    region = None
    if params.region:
        region = Region.objects.restrict(user, "view").filter(code=params.region).first()
        if region is None:
            raise Http404(_("No region with code %(code)s.") % {"code": params.region})
    if params.period is not None and not Period.objects.filter(number=params.period).exists():
        raise Http404(_("Period %(n)s does not exist.") % {"n": params.period})
    scope = Scope(as_of=params.as_of or timezone.localdate(), period=params.period)
    projects = Project.objects.restrict(user, "view").in_region(region)
    return campaign_payload(projects, scope, region=region)
