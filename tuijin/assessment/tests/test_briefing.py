"""A briefing quotes the latest published ranking (红黑榜) with the scores the assessment page shows; a draft never."""

import pytest

from tuijin.assessment import services
from tuijin.briefing.models import BriefingTemplate
from tuijin.briefing.services import render_template
from tuijin.briefing.shipped import ensure_shipped

from .helpers import D, scheme
from .test_services import RULES, three_units  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _monthly(z, as_of):
    ensure_shipped()
    return render_template(BriefingTemplate.objects.get(name="monthly"), z["regions"]["jingkai"], as_of).text


def test_the_monthly_briefing_quotes_the_published_red_and_black_lists(three_units):  # noqa: F811
    z = three_units
    s = scheme("test", "units", RULES, red=1, black=1)
    s.title = "经开区责任单位月度考核办法"
    s.save()
    a = services.assessment_compute(
        scheme=s, period="2022-11", region=z["regions"]["jingkai"], user=z["users"]["admin"], today=D(2023, 1, 10)
    )
    draft_text = _monthly(z, D(2022, 12, 5))
    assert "考核评比情况" not in draft_text and "五、下一步工作" in draft_text  # a draft is never quoted

    services.assessment_publish(assessment=a, user=z["users"]["admin"])
    text = _monthly(z, D(2022, 12, 5))
    assert "五、考核评比情况" in text and "六、下一步工作" in text
    assert "共对3个责任单位进行考核评比" in text
    assert "列入红榜的有：经开区自然资源和规划局（60.00分）" in text
    assert "列入黑榜的有：经开区发展改革局（18.33分）" in text
    # a briefing dated before the period ended does not quote it
    assert "考核评比情况" not in _monthly(z, D(2022, 11, 20))
