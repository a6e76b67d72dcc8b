import pytest

from tuijin.projects.numerals import from_chinese, parse_period, period_name, to_chinese


@pytest.mark.parametrize("n", range(1, 100))
def test_round_trip(n):
    assert from_chinese(to_chinese(n)) == n
    assert parse_period(period_name(n)) == n
    assert parse_period(str(n)) == n


@pytest.mark.parametrize(
    ("text", "n"),
    [("七", 7), ("十", 10), ("十二", 12), ("二十", 20), ("两", 2), ("二十一", 21), ("九十九", 99)],
)
def test_from_chinese(text, n):
    assert from_chinese(text) == n


@pytest.mark.parametrize("text", ["", "百", "十十", "二十十", "七a", "一百"])
def test_from_chinese_refuses(text):
    assert from_chinese(text) is None


@pytest.mark.parametrize(
    ("text", "n"),
    [("7", 7), ("第7期", 7), ("第七期", 7), ("7期", 7), ("第７期", 7), ("７", 7), (" 第 七 期 ", 7), ("第十期", 10),
     ("第12期", 12)],
)  # fmt: skip
def test_parse_period(text, n):
    assert parse_period(text) == n


@pytest.mark.parametrize("text", ["", "上期", "第期", "7.5", "第7期期", "abc"])
def test_parse_period_refuses(text):
    assert parse_period(text) is None


def test_names():
    assert (period_name(1), period_name(7), period_name(10), period_name(15), period_name(20)) == (
        "第一期", "第七期", "第十期", "第十五期", "第二十期",
    )  # fmt: skip
