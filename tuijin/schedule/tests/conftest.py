import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """small_zone() hashes eight passwords; PBKDF2 makes that seconds per test. Schedules don't test sign-in."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
