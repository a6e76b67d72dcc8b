"""Who changed what, from where: the context every write is recorded under.

The web middleware, the API, management commands, the importer and jobs each open a `change_context`;
`ChangeLoggedModel.save()/delete()` and the bulk writers (`bulk_records`) read it. A write outside any
context is recorded with source "system".
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models.fields.files import FieldFile

from .choices import ChangeSource


@dataclass(frozen=True)
class ChangeContext:
    source: str = ChangeSource.SYSTEM
    user: object | None = None
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    label: str = ""  # the command line or request path that made the change


_current: ContextVar[ChangeContext | None] = ContextVar("tuijin_change_context", default=None)


def current_context() -> ChangeContext:
    return _current.get() or ChangeContext()


@contextmanager
def change_context(*, source: str, user=None, label: str = "", request_id=None) -> Iterator[ChangeContext]:
    ctx = ChangeContext(source=source, user=user, label=label[:200], request_id=request_id or uuid.uuid4())
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def jsonable(value):
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def snapshot(instance) -> dict:
    """The instance's stored fields as JSON-ready values (foreign keys by id)."""
    return {f.attname: jsonable(f.value_from_object(instance)) for f in instance._meta.concrete_fields}


def build_record(instance, action: str, before: dict | None, after: dict | None):
    """An unsaved ChangeRecord for `instance` under the current context."""
    from django.contrib.contenttypes.models import ContentType

    from .models import ChangeRecord

    ctx = current_context()
    user = ctx.user._user() if hasattr(ctx.user, "_user") else ctx.user  # the request's lazy user
    if user is not None and not user.is_authenticated:
        user = None
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    return ChangeRecord(
        user=user,
        user_name=user.get_username() if user else "",
        source=ctx.source,
        request_id=ctx.request_id,
        label=ctx.label,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        scope_path=instance.change_scope_path() or "",
        before=before,
        after=after,
    )


def bulk_records(records: list) -> None:
    """Write change records made by `build_record` for bulk writes (imports, jobs)."""
    from .bulk import insert_rows
    from .models import ChangeRecord

    insert_rows(ChangeRecord, records)
