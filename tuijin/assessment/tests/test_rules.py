"""The scoring rules against hand-computed tables (rules.py)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tuijin.assessment.rules import check_params, competition_ranks, score_column, standings


def D(x):  # noqa: N802
    return None if x is None else Decimal(str(x))


def points(rule, params, weight, values):
    out = score_column(rule, params, weight, {k: D(v) for k, v in values.items()})
    return {k: (str(p.points), p.vetoed) if p.vetoed else str(p.points) for k, p in out.items()}


def test_linear_between_thresholds_capped_at_the_weight():
    # weight 20, 50 → 0, 100 → 20: 20 × (v − 50) ÷ 50
    got = points(
        "linear", {"low": 50, "high": 100}, 20, {"a": 40, "b": 50, "c": 62.5, "d": 75, "e": 99.99, "f": 100, "g": 130}
    )
    assert got == {"a": "0.00", "b": "0.00", "c": "5.00", "d": "10.00", "e": "20.00", "f": "20.00", "g": "20.00"}
    # 99.99: 20 × 49.99 ÷ 50 = 19.996 → 20.00; 87.27 of 60..100 at weight 25: 25 × 27.27 ÷ 40 = 17.04375 → 17.04;
    # 1 of 0..8 at weight 5: 0.625 → 0.63 (half up)
    assert points("linear", {"low": 60, "high": 100}, 25, {"x": 87.27})["x"] == "17.04"
    assert points("linear", {"low": 0, "high": 8}, 5, {"x": 1})["x"] == "0.63"


def test_linear_lower_is_better_and_empty_values():
    # low 10 high 0: 10 overdue or more → 0, none → full; 4 → 10 × 6 ÷ 10
    assert points("linear", {"low": 10, "high": 0}, 10, {"a": 4, "b": 0, "c": 12}) == {
        "a": "6.00",
        "b": "10.00",
        "c": "0.00",
    }
    assert points("linear", {"low": 50, "high": 100}, 5, {"none": None}) == {
        "none": "5.00"
    }  # nothing due: no deduction
    assert points("linear", {"low": 50, "high": 100, "if_empty": "zero"}, 5, {"none": None}) == {"none": "0.00"}


def test_points_per_item_capped():
    assert points("per_item", {"per_item": 2, "cap": 10}, 10, {"a": 0, "b": 3, "c": 7, "d": None}) == {
        "a": "0.00",
        "b": "6.00",
        "c": "10.00",
        "d": "0.00",
    }
    assert points("per_item", {"per_item": 2, "cap": 5}, 10, {"c": 7})["c"] == "5.00"
    assert points("per_item", {"per_item": 1.5}, 4, {"c": 7})["c"] == "4.00"  # cap defaults to the weight


def test_deduction_per_item_from_the_full_weight():
    # weight 10, −1 per item, at most 5 deducted
    assert points("per_item", {"per_item": -1, "cap": 5}, 10, {"a": 0, "b": 3, "c": 8}) == {
        "a": "10.00",
        "b": "7.00",
        "c": "5.00",
    }
    assert points("per_item", {"per_item": -1, "cap": 5}, 3, {"d": 4})["d"] == "0.00"  # never below 0


def test_rank_based_points_ties_share_the_rank():
    values = {"a": 90, "b": 80, "c": 80, "d": 70, "e": None}
    # ranks 1, 2, 2, 4; 10 − (rank − 1) × 2; no value: 0
    assert points("rank", {"step": 2}, 10, values) == {"a": "10.00", "b": "8.00", "c": "8.00", "d": "4.00", "e": "0.00"}
    assert points("rank", {"step": 0.5, "order": "asc"}, 10, {"a": 1, "b": 3, "c": 3, "d": 9}) == {
        "a": "10.00",
        "b": "9.50",
        "c": "9.50",
        "d": "8.50",
    }
    assert points("rank", {"step": 6}, 10, {"a": 3, "b": 2, "c": 1}) == {"a": "10.00", "b": "4.00", "c": "0.00"}


def test_veto_marks_the_condition_and_carries_no_points():
    got = points("veto", {"op": ">=", "threshold": 3}, 0, {"a": 3, "b": 2, "c": None, "d": 7})
    assert got == {"a": ("0.00", True), "b": "0.00", "c": "0.00", "d": ("0.00", True)}
    assert points("veto", {"op": "<", "threshold": 50}, 0, {"a": 49.99, "b": 50}) == {"a": ("0.00", True), "b": "0.00"}
    with pytest.raises(ValidationError):
        check_params("veto", {"op": ">=", "threshold": 3}, 5)


@pytest.mark.parametrize(
    ("rule", "params"),
    [
        ("linear", {"low": 50}),
        ("linear", {"low": 50, "high": 50}),
        ("linear", {"low": "x", "high": 100}),
        ("linear", {"low": 50, "high": 100, "if_empty": "maybe"}),
        ("per_item", {"per_item": 0}),
        ("per_item", {"per_item": 1, "cap": -1}),
        ("rank", {"step": -1}),
        ("rank", {"step": 1, "order": "up"}),
        ("veto", {"op": "!=", "threshold": 1}),
        ("linear", {"low": 0, "high": 1, "extra": 1}),
        ("nope", {}),
    ],
)
def test_bad_rule_parameters_are_refused(rule, params):
    with pytest.raises(ValidationError):
        check_params(rule, params, 0 if rule == "veto" else 10)


def test_competition_ranking_and_the_red_and_black_lists():
    totals = {k: D(v) for k, v in {"a": 90, "b": 85, "c": 85, "d": 60, "e": 50, "f": 50}.items()}
    assert competition_ranks(totals) == {"a": 1, "b": 2, "c": 2, "d": 4, "e": 5, "f": 5}
    placed = standings(totals, set(), red=2, black=2)
    assert {k: (s.rank, s.mark) for k, s in placed.items()} == {
        "a": (1, "red"),
        "b": (2, "red"),  # ties at the edge are all on the list
        "c": (2, "red"),
        "d": (4, ""),
        "e": (5, "black"),
        "f": (5, "black"),
    }
    vetoed = standings({"a": D(0), "b": D(80), "c": D(70)}, {"a"}, red=1, black=0)
    assert {k: (s.rank, s.mark) for k, s in vetoed.items()} == {"a": (3, "black"), "b": (1, "red"), "c": (2, "")}
    few = standings({"a": D(80), "b": D(70)}, set(), red=1, black=3)
    assert {k: s.mark for k, s in few.items()} == {"a": "red", "b": "black"}  # never on both lists
