import time
import uuid

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.deprecation import MiddlewareMixin

from .changelog import change_context
from .choices import ChangeSource

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'; connect-src 'self'; font-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class SecurityHeadersMiddleware(MiddlewareMixin):
    """Headers a government system's security review asks for, on every response."""

    def process_response(self, request, response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class SessionRefreshMiddleware:
    """Idle expiry: a signed-in session's expiry moves forward with activity, saved at most once a minute.

    Only a session that carries a signed-in user is refreshed: a request authenticated otherwise (an API call with
    a Bearer token sets `request.user` to the token's user) neither reads nor creates a session row."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (
            session is not None
            and session.session_key is not None  # no session cookie: nothing to refresh (and nothing to create)
            and user is not None
            and user.is_authenticated
            and not session.modified
            and session.get(SESSION_KEY) is not None
        ):
            now = int(time.time())
            if now - session.get("_refreshed", 0) >= settings.SESSION_REFRESH_SECONDS:
                session["_refreshed"] = now  # marks the session modified: saved with a fresh expiry
        return response


class ChangeContextMiddleware:
    """Every write made while serving a request is recorded with its user, path and a request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4()
        source = ChangeSource.API if request.path.startswith("/api/") else ChangeSource.WEB
        label = f"{request.method} {request.path}"
        with change_context(source=source, user=_LazyUser(request), label=label, request_id=request.id):
            response = self.get_response(request)
        response.headers["X-Request-ID"] = str(request.id)
        return response


class _LazyUser:
    """The request's user, read when a change is recorded (API token auth sets it after middleware)."""

    def __init__(self, request):
        self._request = request

    def _user(self):
        return getattr(self._request, "auth_user", None) or getattr(self._request, "user", None)

    @property
    def is_authenticated(self) -> bool:
        user = self._user()
        return bool(user is not None and user.is_authenticated)

    def get_username(self) -> str:
        return self._user().get_username()

    @property
    def pk(self):
        return self._user().pk

    def __getattr__(self, name):
        return getattr(self._user(), name)
