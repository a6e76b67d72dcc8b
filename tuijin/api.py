"""The REST API under /api/v1/: one NinjaAPI, routers per app, orjson, session or token auth.

Errors are JSON: 401 anonymous, 403 not allowed (or CSRF), 404 outside the caller's scope, 409 still in use,
422 validation with the model's messages per field (`{"detail": ..., "errors": {field: [messages]}}`).
The interactive docs (/api/v1/docs) load Swagger UI from the app's own static files, never from a CDN.
"""

import functools
import json

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.openapi.docs import DocsBase

from tuijin.core.api_auth import AUTH
from tuijin.core.renderers import ORJSONRenderer

SWAGGER_PAGE = """{% load static %}<!DOCTYPE html>
<html lang="{{ LANGUAGE_CODE|default:'zh-hans' }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="icon" type="image/png" href="{% static 'vendor/swagger-ui/favicon-32x32.png' %}">
<link rel="stylesheet" href="{% static 'vendor/swagger-ui/swagger-ui.css' %}">
</head>
<body data-csrf-token="{{ csrf_token }}">
<script type="application/json" id="swagger-settings">{{ settings|safe }}</script>
<div id="swagger-ui"></div>
<script src="{% static 'vendor/swagger-ui/swagger-ui-bundle.js' %}"></script>
<script src="{% static 'vendor/swagger-ui/tuijin-init.js' %}"></script>
</body>
</html>
"""


class LocalSwagger(DocsBase):
    """Swagger UI (5.31.0, the release django-ninja ships) served from tuijin/static/vendor/swagger-ui/."""

    settings = {"layout": "BaseLayout", "deepLinking": True, "persistAuthorization": False}

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        template = engines["django"].from_string(SWAGGER_PAGE)
        html = template.render(
            {
                "title": api.title,
                "settings": json.dumps(settings).replace("</", "<\\/"),
                "csrf_token": get_token(request),
            },
            request,
        )
        return HttpResponse(html)


def _readable_openapi(view):
    """openapi.json with Chinese as UTF-8 instead of django-ninja's \\uXXXX escapes, as every other response."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.get("Content-Type", "").startswith("application/json"):
            response.content = json.dumps(json.loads(response.content), ensure_ascii=False).encode()
        return response

    return wrapper


api = NinjaAPI(
    title="tuijin API",
    version="1",
    description=(
        "推进 tuijin: the campaign ledger (三个一批) of a development zone.\n\n"
        "Sign in with the browser session (unsafe methods need the `X-CSRFToken` header) or send "
        "`Authorization: Bearer <key>` with an API token. Every list, object and figure is limited to what the "
        "caller's role and region may see. Money is in 万元 with two decimals; dates are YYYY-MM-DD."
    ),
    renderer=ORJSONRenderer(),
    urls_namespace="api",
    docs=LocalSwagger(),
    docs_url="/docs",
    docs_decorator=_readable_openapi,
    openapi_url="/openapi.json",
    auth=AUTH,
)


def _error(request, status: int, detail: str, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    response = _error(request, 401, _("Sign in, or send Authorization: Bearer <API token>."))
    response["WWW-Authenticate"] = 'Bearer realm="tuijin"'
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, str(exc) or _("Not found."))


@api.exception_handler(DjangoValidationError)
def _invalid(request, exc):
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    return _error(request, 422, _("Please correct the errors below."), errors=errors)


@api.exception_handler(ProtectedError)
@api.exception_handler(RestrictedError)
def _in_use(request, exc):
    objs = list(getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or [])
    return _error(
        request,
        409,
        _("Still in use by %(n)s other records: remove those first.") % {"n": len(objs)},
        used_by=[str(o) for o in objs[:20]],
    )


@api.exception_handler(IntegrityError)
def _conflict(request, exc):
    return _error(request, 409, _("This conflicts with a record that already exists."))


def _register_routers() -> None:
    from tuijin.assessment.api import router as assessment_router
    from tuijin.briefing.api import router as briefing_router
    from tuijin.coordination.api import router as coordination_router
    from tuijin.core.api_changes import router as changes_router
    from tuijin.investment.api import router as investment_router
    from tuijin.projects.api import router as projects_router
    from tuijin.regions.api import router as regions_router
    from tuijin.schedule.api import router as schedule_router
    from tuijin.screen.api import router as screen_router

    api.add_router("", regions_router)
    api.add_router("", projects_router)
    api.add_router("", changes_router)
    api.add_router("", schedule_router)
    api.add_router("", investment_router)
    api.add_router("", coordination_router)
    api.add_router("", assessment_router)
    api.add_router("", screen_router)
    api.add_router("", briefing_router)


_register_routers()
