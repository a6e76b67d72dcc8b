"""Assessment under /api/v1/assessment/…"""

from ninja import Router

router = Router(tags=["assessment"])
