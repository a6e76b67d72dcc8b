"""The ledger's part of /api/v1/: periods, projects and listings, statistics and imports."""

from ninja import Router

from . import imports, periods, projects, stats

router = Router()
router.add_router("", periods.router)
router.add_router("", projects.router)
router.add_router("", stats.router)
router.add_router("", imports.router)

__all__ = ["router"]
