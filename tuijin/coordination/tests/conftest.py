import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids (the Chinese .po comes later and may change wording)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Attachments go to a fresh directory per test, so a test can tell that nothing was stored."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def co(zone):
    """small_zone plus what coordination needs: a second department and its user, a city department, a task."""
    from .helpers import coordination_zone

    return coordination_zone(zone)
