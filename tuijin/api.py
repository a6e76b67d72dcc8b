"""The REST API under /api/v1/: one NinjaAPI, routers per app, orjson, session or token auth."""

from ninja import NinjaAPI

from tuijin.core.renderers import ORJSONRenderer

api = NinjaAPI(
    title="tuijin API",
    version="1",
    description="推进 tuijin: the campaign ledger (三个一批) of a development zone.",
    renderer=ORJSONRenderer(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
