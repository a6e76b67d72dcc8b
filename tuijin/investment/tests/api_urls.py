"""A URLconf for the API tests until the app mounts the investment router: the same endpoints (build_router),
auth, renderer and error handlers as /api/v1/, on an API of their own. The rest of the site is included below."""

from django.urls import include, path
from ninja import NinjaAPI

from tuijin.api import api as main_api
from tuijin.core.api_auth import AUTH
from tuijin.core.renderers import ORJSONRenderer
from tuijin.investment.api import build_router

test_api = NinjaAPI(
    urls_namespace="investment_test_api",
    renderer=ORJSONRenderer(),
    auth=AUTH,
    docs_url=None,
    openapi_url="/investment-openapi.json",
)
for exc_class, handler in main_api._exception_handlers.items():
    test_api.add_exception_handler(exc_class, handler)
test_api.add_router("", build_router())

urlpatterns = [path("api/v1/", test_api.urls), path("", include("tuijin.urls"))]
