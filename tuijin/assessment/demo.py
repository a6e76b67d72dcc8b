"""`tuijin demo` scores the demo zone's responsible units with the shipped `zone-monthly` scheme for a month and a
quarter of 2022 (the years of the demo's ledger and investment reports), publishes both, and has the office write
its monthly briefing (published, with the ranking quoted) and a weekly one (a draft) from them.

Everything goes through the services as the project office (the demo's `admin` user), under the CLI context
labelled "tuijin demo", so the change log shows it. Deterministic: fixed periods and days, never today's date.
"""

from __future__ import annotations

import datetime

from tuijin.accounts.models import User
from tuijin.core.changelog import change_context
from tuijin.core.choices import ChangeSource
from tuijin.regions.models import Region

from . import services
from .shipped import ensure_shipped_schemes

LABEL = "tuijin demo"
ZONE = "410171"
# The periods scored and the days the office did it (after each period's reports were in).
MONTH, MONTH_SCORED = "2022-11", datetime.date(2022, 12, 10)
QUARTER, QUARTER_SCORED = "2022-Q3", datetime.date(2022, 10, 15)
MONTHLY_BRIEFING_DAY = datetime.date(2022, 11, 30)
WEEKLY_BRIEFING_DAY = datetime.date(2026, 11, 20)  # the last day of the coordination demo's reports


def load_assessment_demo(*, region_code: str = ZONE, log=None) -> dict:
    log = log or (lambda _msg: None)
    from tuijin.briefing.models import BriefingTemplate
    from tuijin.briefing.services import briefing_generate, briefing_publish
    from tuijin.briefing.shipped import ensure_shipped

    ensure_shipped_schemes()
    ensure_shipped()
    zone = Region.objects.get(code=region_code)
    office = User.objects.get(username="admin")
    scheme = services.scheme_by_name("zone-monthly")
    out = {}
    with change_context(source=ChangeSource.CLI, label=LABEL, user=office):
        for period, day in ((QUARTER, QUARTER_SCORED), (MONTH, MONTH_SCORED)):
            assessment = services.assessment_compute(scheme=scheme, period=period, region=zone, user=office, today=day)
            services.assessment_publish(assessment=assessment, user=office)
            out[period] = assessment.scores.count()
        log(f"assessment: {MONTH} and {QUARTER} scored and published ({out[MONTH]} units)")
        monthly = briefing_generate(
            user=office, template=BriefingTemplate.objects.get(name="monthly"), region=zone, as_of=MONTHLY_BRIEFING_DAY
        )
        briefing_publish(user=office, briefing=monthly)
        briefing_generate(
            user=office, template=BriefingTemplate.objects.get(name="weekly"), region=zone, as_of=WEEKLY_BRIEFING_DAY
        )
        log("briefings: the monthly briefing of November 2022 (published) and a weekly draft")
    return out
