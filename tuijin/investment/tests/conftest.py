import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids (the Chinese .po comes later and may change wording)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Photos go to a fresh directory per test, so a test can tell that nothing was stored."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
