"""Briefings under /api/v1/briefings/…"""

from ninja import Router

router = Router(tags=["briefing"])
