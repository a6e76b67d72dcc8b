"""MoneyField: 万元 with two decimals, stored as integer hundredths so sums are exact on SQLite too."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from tuijin.core.fields import to_money
from tuijin.core.testing import organization, project, region_tree
from tuijin.projects.models import Project


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.1, "0.10"), (1.005, "1.01"), ("1.005", "1.01"), ("2.675", "2.68"), (5, "5.00"), (Decimal("0.125"), "0.13"),
     ("123456789012.345", "123456789012.35"), (0.30000000000000004, "0.30")],
)  # fmt: skip
def test_to_money_rounds_half_up(value, expected):
    assert to_money(value) == Decimal(expected)
    assert str(to_money(value)) == expected


def test_to_money_refuses_text():
    assert to_money(None) is None and to_money("") is None
    with pytest.raises(ValidationError):
        to_money("五千")


def test_stored_and_summed_exactly(db):
    r = region_tree()
    ent = organization("甲公司", r["jingkai"])
    values = ["0.10", "0.20", "0.30", "99999999999.99", "0.01", "1234.56"]
    for i, v in enumerate(values):
        project(f"P{i}", r["jingkai"], ent, v)
    assert sorted(Project.objects.values_list("total_investment", flat=True)) == sorted(Decimal(v) for v in values)
    total = Project.objects.aggregate(s=Sum("total_investment"))["s"]
    assert total == Decimal("100000001235.16")
    assert str(total) == "100000001235.16"
    p = Project.objects.get(name="P0")
    assert isinstance(p.total_investment, Decimal) and p.total_investment == Decimal("0.10")
    assert Project.objects.filter(total_investment__gte=Decimal("0.3")).count() == 3
