"""Big-screen figures under /api/v1/screen/…"""

from ninja import Router

router = Router(tags=["screen"])
