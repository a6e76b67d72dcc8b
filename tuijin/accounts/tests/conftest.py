import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the pages' words in English (the msgids); Chinese is the default for users."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
