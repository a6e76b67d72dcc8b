import os

import pytest


@pytest.fixture
def zone(db):
    """The hand-made ledger of tuijin.core.testing.small_zone (regions, projects, listings, users per role)."""
    from tuijin.core.testing import small_zone

    return small_zone()


@pytest.fixture
def login(client):
    """Sign a test client in as a user: `login(user)` returns the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _jobs_inline(settings):
    """Jobs run inside the request in unit tests (the test database is not shared with threads)."""
    settings.TUIJIN_JOB_RUNNER = "inline"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing every test user's password with PBKDF2 makes the suite minutes slower; MD5 is fine in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """Tests marked postgresql_only are deselected on SQLite (reported as deselected, never as skipped or passed);
    the PostgreSQL run of scripts/test runs them."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    kept = [i for i in items if i.get_closest_marker("postgresql_only") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i.get_closest_marker("postgresql_only")])
        items[:] = kept
