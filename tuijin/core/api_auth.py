"""Who is calling the API, and what they may touch.

Two doors, tried in this order:
- `Authorization: Bearer <key>` for integrations, checked by `APIToken.authenticate`. No CSRF: the key is not
  sent by a browser on its own.
- The browser's Django session, with CSRF enforced on unsafe methods (a session POST without the token fails).

Either way `request.auth` is the user; `request.auth_user` (read by the change log) and `request.user` (read by
the FilterSet's choices) are set to it too, so every write is recorded under that user with source "api".

The helpers below are the API's side of `core.permissions`: objects outside the user's view scope are 404,
writes the user may not make are 403.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from tuijin.accounts.models import APIToken

from .permissions import can

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key issued by `APIToken.issue`."""

    def authenticate(self, request: HttpRequest, token: str):
        user = APIToken.authenticate(token.strip()) if token else None
        if user is None:
            return None
        request.auth_user = user
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; unsafe methods must carry the CSRF token (X-CSRFToken header)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest):
        # CSRF is checked in authenticate(), only once a session user is there: an anonymous call is a 401.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method in UNSAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header with the session's token."))
        request.auth_user = user
        return user


token_auth = TokenAuth()
session_auth = SessionAuth()
AUTH = [token_auth, session_auth]


def require(user, action: str, obj_or_model) -> None:
    """403 unless `user` may do `action` on the object (or on some object of the model)."""
    if not can(user, action, obj_or_model):
        raise PermissionDenied


def visible_or_404(queryset, user, **lookup):
    """The one object matching `lookup` among what `user` may view, else 404 (nothing tells it exists).

    The object is marked `_viewable_by = user`: read through `restrict(user, "view")` in this request, so a
    service whose rule is exactly that (`investment.services.project_may_report` for an enterprise user) need not
    ask the database again. The mark lives on this one object, for this request."""
    obj = queryset.restrict(user, "view").filter(**lookup).first()
    if obj is None:
        raise Http404(_("Not found, or outside what you may see."))
    obj._viewable_by = user
    return obj
