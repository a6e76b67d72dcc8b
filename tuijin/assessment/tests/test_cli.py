"""`tuijin assess … --json`: the contract's exact shape, publishing, and bad input (non-zero exit, nothing written)."""

import json
import re

import pytest
from django.core.management import CommandError, call_command

from tuijin.assessment.models import Assessment, AssessmentPeriod, SchemeVersion, Score
from tuijin.core.models import ChangeRecord

from .helpers import D, task


@pytest.fixture
def tasks(az):
    z = az
    task(z, lead=z["department"], deadline=D(2022, 11, 15), done_on=D(2022, 11, 14), closed_on=D(2022, 11, 16))
    task(z, lead=z["department2"], deadline=D(2022, 11, 20))
    return z


def assess(capsysbinary, *args) -> tuple[dict, str]:
    call_command("assess", *args, "--json")
    raw = capsysbinary.readouterr().out.decode()
    return json.loads(raw), raw


def test_the_json_contract(tasks, capsysbinary):
    z = tasks
    data, raw = assess(capsysbinary, "--scheme", "zone-monthly", "--period", "2022-11", "--region", "410171")
    assert set(data) == {"scheme", "period", "subjects"}
    assert (data["scheme"], data["period"]) == ("zone-monthly", "2022-11")
    assert [set(s) for s in data["subjects"]] == [{"key", "label", "score", "rank", "items"}] * len(data["subjects"])
    codes = ["Z1", "Z2", "Z3", "Z4", "Z5", "Z6", "Z7"]
    for s in data["subjects"]:
        assert [set(i) for i in s["items"]] == [{"indicator", "value", "points"}] * 7
        assert [i["indicator"] for i in s["items"]] == codes
        assert s["score"] == pytest.approx(sum(i["points"] for i in s["items"]))
    by_key = {s["key"]: s for s in data["subjects"]}
    dept, dept2 = by_key[str(z["department"].pk)], by_key[str(z["department2"].pk)]
    assert dept["label"] == "经开区发展改革局" and "经开区发展改革局" in raw  # Chinese as UTF-8, not \u escapes
    assert "\\u" not in raw
    # 发改局 answers for project a: plan 12000.50 for 2022 and nothing invested → Z1 0 % of 序时 → 0; no node due
    # → Z2 20; 1 of 1 task on time → Z3 20; no problem → Z4 15; no November report → Z5 0 %; no start → Z6 0.
    items = {i["indicator"]: (i["value"], i["points"]) for i in dept["items"]}
    assert items == {
        "Z1": (0, 0),
        "Z2": (None, 20),
        "Z3": (100, 20),
        "Z4": (None, 15),
        "Z5": (0, 0),
        "Z6": (0, 0),
        "Z7": (0, 0),
    }
    assert (dept["rank"], dept["score"]) == (2, 55)
    # 自然资源和规划局: no project; 0 of 1 task on time → Z3 0 (below 60 %), the rest has nothing due → 70, first
    assert (dept2["rank"], dept2["score"]) == (1, 70)
    # Numbers are JSON numbers with two decimals, never strings
    assert re.search(r'"score":55\.00,', raw) and re.search(r'"value":100\.00,"points":20\.00', raw)
    assert re.search(r'"value":null,"points":25\.00', raw)  # Z1 of 自然资源和规划局: no plan → no value, full points
    assert Assessment.objects.get().state == "draft"


def test_publish_then_the_published_result_is_printed_unchanged(tasks, capsysbinary):
    z = tasks
    args = ("--scheme", "zone-monthly", "--period", "2022-11", "--region", "410171")
    first, _raw = assess(capsysbinary, *args, "--publish")
    a = Assessment.objects.get()
    assert a.state == "published" and a.version.frozen
    # New data after publishing does not move a published assessment
    task(z, lead=z["department2"], deadline=D(2022, 11, 21), done_on=D(2022, 11, 20), closed_on=D(2022, 11, 22))
    before = (ChangeRecord.objects.count(), list(Score.objects.values_list("pk", "total")))
    again, _raw = assess(capsysbinary, *args)
    assert again == first
    assert (ChangeRecord.objects.count(), list(Score.objects.values_list("pk", "total"))) == before


def test_the_province_scheme_scores_the_cities(az, capsysbinary):
    data, _raw = assess(capsysbinary, "--scheme", "province", "--period", "2022-Q4")
    assert [(s["key"], s["label"]) for s in sorted(data["subjects"], key=lambda s: s["key"])] == [
        ("410100", "郑州市"),
        ("410300", "洛阳市"),
    ]
    assert [i["indicator"] for i in data["subjects"][0]["items"]] == [
        "A1",
        "B1",
        "B2",
        "C1",
        "C2",
        "C3",
        "D1",
        "E1",
        "E2",
    ]
    assert Assessment.objects.get().region.code == "410000"
    units, _raw = assess(capsysbinary, "--scheme", "province", "--period", "2022-Q4", "--subjects", "leaders")
    assert [s["label"] for s in units["subjects"]] == ["王明"]


@pytest.mark.parametrize(
    "args",
    [
        ("--scheme", "nope", "--period", "2022-Q4"),
        ("--scheme", "province", "--period", "2022-Q5"),
        ("--scheme", "province", "--period", "22-11"),
        ("--scheme", "province", "--period", "2022-13"),
        ("--scheme", "zone-monthly", "--period", "2022-11", "--region", "999999"),
        ("--scheme", "zone-monthly", "--period", "2022-11", "--region", "410171", "--subjects", "regions"),
    ],
)
def test_bad_input_fails_and_writes_nothing(az, args, capsysbinary):
    before = (ChangeRecord.objects.count(), Assessment.objects.count(), AssessmentPeriod.objects.count())
    with pytest.raises(CommandError) as err:
        call_command("assess", *args, "--json")
    assert err.value.returncode == 2
    assert str(err.value)  # the reason, in the user's language
    assert capsysbinary.readouterr().out == b""
    assert (ChangeRecord.objects.count(), Assessment.objects.count(), AssessmentPeriod.objects.count()) == before
    assert not SchemeVersion.objects.filter(frozen=True).exists()


def test_bad_input_messages_in_both_languages(az):
    for lang, word in (("en", "No assessment scheme"), ("zh-hans", "nope")):
        with pytest.raises(CommandError) as err:
            call_command("assess", "--scheme", "nope", "--period", "2022-Q4", "--lang", lang)
        assert word in str(err.value) and "province" in str(err.value)
