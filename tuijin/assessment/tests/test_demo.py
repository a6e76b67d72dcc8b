"""`tuijin demo` publishes a scored month and quarter for the demo zone's units and the office's briefings from
them: the monthly one published (Word and PDF kept, the red and black lists quoted), a weekly draft."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from tuijin.accounts.models import User
from tuijin.assessment.models import Assessment
from tuijin.briefing.models import Briefing
from tuijin.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", "--no-serve", stdout=io.StringIO())


def test_the_demo_publishes_a_month_and_a_quarter_and_briefs_from_them(demo):
    published = {a.period.key: a for a in Assessment.objects.filter(state="published", region__code="410171")}
    assert set(published) == {"2022-11", "2022-Q3"}
    for assessment in published.values():
        assert assessment.version.scheme.name == "zone-monthly" and assessment.version.frozen
        scores = list(assessment.scores.order_by("rank"))
        assert len(scores) >= 8
        assert scores[0].mark == "red" and scores[-1].mark == "black"
        assert [s.rank for s in scores] == sorted(s.rank for s in scores)

    monthly = Briefing.objects.get(kind="monthly")
    assert monthly.state == "published" and monthly.docx and monthly.pdf
    red = [s.subject_label for s in published["2022-11"].scores.filter(mark="red").order_by("rank")]
    assert "考核评比情况" in monthly.text and all(name in monthly.text for name in red)
    weekly = Briefing.objects.get(kind="weekly")
    assert weekly.state == "draft" and str(weekly.as_of) == "2026-11-20"

    # every listed project of the demo has a site on the big screen's map, inside its zone's box
    zone = Project.objects.filter(region__code="410171")
    assert not zone.filter(latitude__isnull=True).exists()
    assert all(34.69 <= p.latitude <= 34.76 and 113.715 <= p.longitude <= 113.83 for p in zone)

    client = Client()
    client.force_login(User.objects.get(username="admin"))
    page = client.get(f"/assessment/{published['2022-11'].pk}/")
    assert page.status_code == 200 and red[0] in page.content.decode()
    assert client.get(f"/briefings/{monthly.pk}/").status_code == 200
