"""JSON for the API: orjson, Decimal as a number, Chinese as UTF-8 (never \\uXXXX)."""

import datetime
import decimal
import uuid

import orjson
from ninja.renderers import BaseRenderer


def _default(value):
    if isinstance(value, decimal.Decimal):
        # Money is exact to 0.01 万元: emit it as a JSON number with its digits, not through a float.
        return orjson.Fragment(format(value, "f"))
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def dumps(data) -> bytes:
    return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request, data, *, response_status):
        return dumps(data)
