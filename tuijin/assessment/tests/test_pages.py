"""The pages: ranking and breakdown per role, computing, adjusting and publishing through the forms, exports."""

import io

import pytest
from docx import Document
from python_calamine import CalamineWorkbook

from tuijin.assessment import services
from tuijin.assessment.models import Adjustment, Assessment
from tuijin.core.models import ChangeRecord

from .helpers import D, task


@pytest.fixture
def assessed(az):
    z = az
    task(z, lead=z["department"], deadline=D(2022, 11, 15), done_on=D(2022, 11, 14), closed_on=D(2022, 11, 16))
    task(z, lead=z["department2"], deadline=D(2022, 11, 20))
    z["assessment"] = services.assessment_compute(
        scheme=services.scheme_by_name("zone-monthly"), period="2022-11", region=z["regions"]["jingkai"]
    )
    return z


def test_the_ranking_and_who_sees_which_breakdown(assessed, client):
    z = assessed
    a = z["assessment"]
    dept, dept2 = str(z["department"].pk), str(z["department2"].pk)
    client.force_login(z["users"]["department"])
    page = client.get(f"/assessment/{a.pk}/").content.decode()
    assert "经开区发展改革局" in page and "经开区自然资源和规划局" in page  # everyone's ranking
    assert f"/assessment/{a.pk}/subjects/{dept}/" in page and f"/assessment/{a.pk}/subjects/{dept2}/" not in page
    mine = client.get(f"/assessment/{a.pk}/subjects/{dept}/", HTTP_HX_REQUEST="true").content.decode()
    assert "交办事项按期办结率" in mine and "交办事项 2022-11-15" in mine  # the task counted, linked
    assert client.get(f"/assessment/{a.pk}/subjects/{dept2}/").status_code == 403
    client.force_login(z["users"]["admin"])
    assert client.get(f"/assessment/{a.pk}/subjects/{dept2}/").status_code == 200
    assert 'id="publish"' in client.get(f"/assessment/{a.pk}/").content.decode()


def test_compute_adjust_and_publish_through_the_forms(assessed, client):
    z = assessed
    a = z["assessment"]
    client.force_login(z["users"]["admin"])
    r = client.post("/assessment/compute/", {"scheme": "zone-monthly", "period": "2022-Q4", "subjects": "leaders"})
    made = Assessment.objects.exclude(pk=a.pk).get()
    assert r.status_code == 302 and r["Location"] == f"/assessment/{made.pk}/"
    assert (made.period.key, made.subject_kind, made.region.code) == ("2022-Q4", "leaders", "410171")
    before = ChangeRecord.objects.count()
    r = client.post("/assessment/compute/", {"scheme": "zone-monthly", "period": "2022-Q9"})
    assert r.status_code == 302 and Assessment.objects.count() == 2 and ChangeRecord.objects.count() == before

    client.post(f"/assessment/{a.pk}/adjust/", {"subject": "经开区发展改革局", "points": "-3", "reason": "月报迟报"})
    assert Adjustment.objects.get().points == -3
    assert a.scores.get(subject_key=str(z["department"].pk)).adjustment == -3
    client.post(f"/assessment/{a.pk}/publish/")
    a.refresh_from_db()
    assert a.state == "published" and a.published_by == z["users"]["admin"]
    before = (ChangeRecord.objects.count(), Adjustment.objects.count())
    client.post(f"/assessment/{a.pk}/adjust/", {"subject": "经开区发展改革局", "points": "5", "reason": "再加分"})
    client.post(f"/assessment/adjustments/{Adjustment.objects.get().pk}/delete/")
    assert (ChangeRecord.objects.count(), Adjustment.objects.count()) == before
    page = client.get(f"/assessment/{a.pk}/").content.decode()
    assert 'id="publish"' not in page and 'action="/assessment/{a.pk}/adjust/"' not in page


def test_exports(assessed, client):
    z = assessed
    a = z["assessment"]
    services.adjustment_add(assessment=a, subject="经开区发展改革局", points="2", reason="重大项目招引")
    client.force_login(z["users"]["admin"])
    r = client.get(f"/assessment/{a.pk}/export.xlsx")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    ranking = book.get_sheet_by_name("排名").to_python()
    assert ranking[3][:2] == ["排名", "责任单位"] and ranking[3][-3:] == ["总分", "榜单", "一票否决"]
    rows = {row[1]: row for row in ranking[4:]}
    dept = a.scores.get(subject_key=str(z["department"].pk))
    assert rows["经开区发展改革局"][0] == dept.rank and rows["经开区发展改革局"][-3] == float(dept.total)
    assert rows["经开区发展改革局"][-4] == 2  # the bonus
    assert [r[0] for r in book.get_sheet_by_name("指标").to_python()[1:]] == ["Z1", "Z2", "Z3", "Z4", "Z5", "Z6", "Z7"]

    doc = Document(io.BytesIO(client.get(f"/assessment/{a.pk}/export.docx").content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "郑州经开区2022年11月重点项目责任单位月度考核结果" in text and "红榜：" in text and "重大项目招引" in text
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells][:2] == ["排名", "责任单位"]
    assert len(table.rows) == 1 + a.scores.count()
    # a viewer gets the ranking without anyone's indicator points
    client.force_login(z["users"]["viewer"])
    viewer = Document(io.BytesIO(client.get(f"/assessment/{a.pk}/export.docx").content)).tables[0]
    assert [c.text for c in viewer.rows[0].cells] == ["排名", "责任单位", "加减分", "总分", "榜单"]
