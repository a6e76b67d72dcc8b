import pytest


@pytest.fixture
def shipped(db):
    """The shipped schemes (the data migration made them; a transactional test elsewhere may have flushed them)."""
    from tuijin.assessment.models import Scheme
    from tuijin.assessment.shipped import ensure_shipped_schemes

    ensure_shipped_schemes()
    return {s.name: s for s in Scheme.objects.all()}


@pytest.fixture
def az(zone, shipped):
    """small_zone plus a second department of 经开区 and the problem categories (tests/helpers.py)."""
    from .helpers import assessment_zone

    return assessment_zone(zone)
