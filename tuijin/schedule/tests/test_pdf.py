"""The A3 wall charts as PDF: the pages are A3 landscape, the Chinese text is embedded in a CJK font, and the
downloads follow the same permissions as the pages."""

import datetime
import os
import re
import zlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from tuijin.core.testing import project as make_project
from tuijin.schedule import pdf, services
from tuijin.schedule.models import ProjectNode

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def sched(zone):
    p = make_project(
        "储能电池项目",
        zone["regions"]["jingkai"],
        zone["enterprises"]["b"],
        "20000",
        leader=zone["leader"],
        signed_on=days(-40),
    )
    services.checklist_create(project=p)
    services.node_report(
        node=ProjectNode.objects.get(project=p, name="公司注册"), actual_start=days(-38), actual_finish=days(-30)
    )
    services.target_set(project=p, node="投产", date=days(300))  # too soon: red nodes, days short
    services.baseline_create(project=p, name="年初排定")
    return p


def _pages(body: bytes) -> list[tuple[float, float]]:
    return [(float(w), float(h)) for w, h in re.findall(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", body)]


def _fonts(body: bytes) -> set[bytes]:
    return set(re.findall(rb"/BaseFont /([\w+-]+)", body))


def _save(body: bytes, name: str) -> None:
    folder = os.environ.get("TUIJIN_PDF_OUT")
    if folder:
        with open(os.path.join(folder, name), "wb") as f:
            f.write(body)


def test_project_pdf_is_a3_landscape_with_the_cjk_font(zone, sched, login, settings):
    settings.TUIJIN_ZONE_TITLE = "郑州经开区重点项目办"
    response = login(zone["users"]["admin"]).get(reverse("schedule:project_pdf", args=[sched.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and ".pdf" in response["Content-Disposition"]
    body = response.content
    _save(body, "project.pdf")
    assert body.startswith(b"%PDF")
    assert _pages(body) == [(1190.551, 841.8898)]
    assert any(b"TuijinCJK" in f or b"WenQuanYi" in f or b"Noto" in f for f in _fonts(body))


def test_portfolio_pdf_lists_the_visible_projects_only(zone, sched, login):
    response = login(zone["users"]["admin"]).get(reverse("schedule:portfolio_pdf") + "?group=leader")
    assert response.status_code == 200
    body = response.content
    _save(body, "portfolio.pdf")
    assert len(_pages(body)) == 1 and _pages(body)[0][0] > _pages(body)[0][1]
    out_of_scope = login(zone["users"]["admin_out"]).get(reverse("schedule:portfolio_pdf"))
    assert out_of_scope.status_code == 200  # their own (Luoyang) projects only
    assert len(out_of_scope.content) < len(body)


def test_pdf_of_a_project_out_of_scope_is_404(zone, sched, login):
    assert login(zone["users"]["admin_out"]).get(reverse("schedule:project_pdf", args=[sched.pk])).status_code == 404
    assert login(zone["users"]["enterprise"]).get(reverse("schedule:project_pdf", args=[sched.pk])).status_code == 404


def test_pdf_anonymous_goes_to_sign_in(client, sched):
    response = client.get(reverse("schedule:project_pdf", args=[sched.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_many_projects_paginate(zone, sched):
    rows = [
        {
            "id": i,
            "code": f"P{i:04d}",
            "name": f"项目{i}",
            "group": "开工一批" if i < 60 else "投产一批",
            "level": "green",
            "short": 0,
            "m": [[0, days(-10).isoformat(), 1, "done"], [1, days(40).isoformat(), 0, "green"]],
        }
        for i in range(130)
    ]
    data = {
        "as_of": TODAY.isoformat(),
        "key_nodes": ["签约", "开工"],
        "key_short": ["签", "开"],
        "rows": rows,
        "counts": {"red": 0, "yellow": 0, "green": 130, "done": 0},
    }
    body = pdf.portfolio_pdf(data)
    assert len(_pages(body)) == 4  # 130 projects and 2 group headings, 42 lines a page


def test_no_cjk_font_is_a_clear_error(monkeypatch):
    pdf.cjk_font.cache_clear()
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ["/nonexistent/font.ttf"])
    monkeypatch.delenv("TUIJIN_PDF_FONT", raising=False)
    try:
        with pytest.raises(ImproperlyConfigured, match="fonts-wqy-microhei"):
            pdf.cjk_font()
    finally:
        pdf.cjk_font.cache_clear()


def test_fit_cuts_long_text_with_an_ellipsis():
    pdf.cjk_font()
    text = pdf.fit("郑州航空港经济综合实验区新能源汽车零部件产业园二期项目", 9, 60)
    assert text.endswith("…") and len(text) < 20
    assert pdf.fit("签约", 9, 60) == "签约"
    assert zlib  # (the streams are compressed: the text itself is checked by eye, see docs/screenshots/gantt-a3.png)
