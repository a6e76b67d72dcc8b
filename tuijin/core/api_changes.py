"""/api/v1/changes: the change log (who changed what, when, from where, old → new)."""

from __future__ import annotations

import datetime
import uuid
from typing import Literal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from .api_auth import require
from .choices import ChangeAction, ChangeSource
from .models import ChangeRecord
from .permissions import Action

router = Router(tags=["changes"])

MAX_PAGE_SIZE = 500


class ChangeOut(Schema):
    id: int
    time: datetime.datetime
    user: str = Field(..., description="user name at the time of the change (empty: system)")
    source: str
    request_id: uuid.UUID
    label: str = Field(..., description="the request or command that made the change")
    action: Literal["create", "update", "delete"]
    object_type: str = Field(..., description="app_label.model, e.g. projects.project")
    object_id: int
    object_repr: str
    before: dict | None = Field(None, description="changed fields before (null on create)")
    after: dict | None = Field(None, description="changed fields after (null on delete)")

    @staticmethod
    def resolve_user(obj: ChangeRecord) -> str:
        return obj.user_name

    @staticmethod
    def resolve_object_type(obj: ChangeRecord) -> str:
        ct = ContentType.objects.get_for_id(obj.content_type_id)
        return f"{ct.app_label}.{ct.model}"


class ChangePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ChangeOut]


class ChangeFilters(Schema):
    object_type: str | None = Field(None, description="app_label.model (projects.project) or model name (project)")
    object_id: int | None = None
    action: Literal["create", "update", "delete"] | None = None
    source: Literal[tuple(ChangeSource.values)] | None = None  # type: ignore[valid-type]
    user: str | None = Field(None, description="user name")
    since: datetime.datetime | datetime.date | None = Field(None, description="changes at or after this time")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


def content_type_for(label: str) -> ContentType:
    """`projects.project` or `project` → its ContentType (422 when unknown or ambiguous)."""
    label = label.strip().lower()
    if "." in label:
        app_label, model = label.split(".", 1)
        found = ContentType.objects.filter(app_label=app_label, model=model)
    else:
        found = ContentType.objects.filter(model=label)
    found = list(found[:2])
    if len(found) != 1:
        raise ValidationError({"object_type": [_("Unknown object type: %(type)s") % {"type": label}]})
    return found[0]


def paginate(qs, page: int, page_size: int) -> dict:
    start = (page - 1) * page_size
    return {"count": qs.count(), "page": page, "page_size": page_size, "items": list(qs[start : start + page_size])}


@router.get("/changes", response=ChangePage, summary="List change records")
def change_list(request, filters: Query[ChangeFilters]):
    """Change records the caller may read, newest first: every create, update and delete from the web, the API,
    the command line and imports. Project offices and leaders read the records of their region; other roles
    get 403."""
    user = request.auth
    require(user, Action.VIEW, ChangeRecord)
    qs = ChangeRecord.objects.restrict(user, Action.VIEW)
    if filters.object_type:
        qs = qs.filter(content_type=content_type_for(filters.object_type))
    if filters.object_id is not None:
        qs = qs.filter(object_id=filters.object_id)
    if filters.action:
        qs = qs.filter(action=ChangeAction(filters.action))
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.user:
        qs = qs.filter(user_name=filters.user)
    if filters.since:
        since = filters.since
        if not isinstance(since, datetime.datetime):
            since = datetime.datetime.combine(since, datetime.time())
        if timezone.is_naive(since):
            since = timezone.make_aware(since)
        qs = qs.filter(time__gte=since)
    return paginate(qs.order_by("-time", "-id"), filters.page, filters.page_size)
