"""GET /api/v1/screen: the big screen's figures, the JSON the page refreshes itself from."""

from __future__ import annotations

import datetime

from ninja import Field, Query, Router, Schema

from .selectors import require_view, screen_payload, screen_region

router = Router(tags=["screen"])


class ScreenQuery(Schema):
    region: str | None = Field(None, description="region code (its subtree); default: all the caller's regions")
    as_of: datetime.date | None = Field(None, description="YYYY-MM-DD; default today")


@router.get("/screen", summary="Big-screen figures", url_name="screen")
def screen(request, params: Query[ScreenQuery]):
    """Everything the big screen shows, for the projects the caller may see: `campaign` (exactly
    /api/v1/stats/campaign as of `as_of`), `rates`, the lifecycle `funnel`, `investment` (exactly
    /api/v1/stats/investment for the year and month it names, plus `months`: plan, invested and cumulative
    completion against 序时进度 month by month), schedule `warnings` (red and yellow nodes, the worst rows, the
    units with most red), the responsible units' `ranking` by completion against 序时进度, and the `map` (projects
    with coordinates as [lng, lat, state, name, id], how many have none, the outline and the tile server).
    Money in 万元 (exact), rates in percent. Enterprise users: 403. Unknown or invisible region: 404."""
    user = request.auth
    require_view(user)  # an enterprise: 403 whatever region it names
    region = screen_region(user, params.region)
    return screen_payload(user, region=region, as_of=params.as_of)
