"""/api/v1/ for coordination (`tasks.py`, `meetings.py`, `supervision.py`): tasks (交办事项) and problems (问题清单)
with every transition as a POST, the caller's inbox, the problem categories and GET /stats/coordination (the same
JSON as `tuijin stats coordination --json`); meetings with their attendance, agenda and outcomes and the minutes
(.docx); the supervision board, each item's ladder trail, and the letters (两函一单) with their replies (.docx).

Reads go through `restrict(user, "view")` (outside the caller's scope: 404); the services decide who may take
each step (403 with the reason) and refuse bad input with 422, writing nothing. Units, categories and projects
are given by id or by exact name.
"""

from __future__ import annotations

from ninja import Router

from . import meetings, supervision, tasks


def build_router() -> Router:
    router = Router(tags=["coordination"])
    tasks.register(router)
    meetings.register(router)
    supervision.register(router)
    return router


router = build_router()

__all__ = ["build_router", "router"]
