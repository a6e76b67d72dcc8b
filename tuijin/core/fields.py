"""Money: 万元 with two decimals, exact on every database.

SQLite stores DecimalField values as floating point, so SUM() over them is inexact. MoneyField stores
hundredths of a 万元 (100 yuan) as a 64-bit integer, which every database adds exactly, and hands Python a
Decimal with two places. A SUM() over a MoneyField comes back through the same conversion.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")


def to_money(value) -> Decimal | None:
    """Round any number to 万元 with two decimals (half up); None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError(_("“%(value)s” is not an amount."), params={"value": value}) from exc


class MoneyField(models.BigIntegerField):
    description = _("Amount in 万元 (two decimals)")

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(CENT)

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)
        return to_money(value)

    def get_prep_value(self, value):
        if value is None:
            return None
        return int(to_money(value) * 100)

    def formfield(self, **kwargs):
        from django import forms

        defaults = {"form_class": forms.DecimalField, "decimal_places": 2, "max_digits": 16}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else str(value)
