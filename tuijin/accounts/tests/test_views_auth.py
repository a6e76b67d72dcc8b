"""Sign-in as a government system needs it: lock-out, idle expiry, password rules, security headers."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tuijin.accounts.models import LoginFailure
from tuijin.core.testing import PASSWORD

LOGIN = reverse("accounts:login")
DASHBOARD = reverse("projects:dashboard")


def sign_in(client, username, password, next_url=None):
    data = {"username": username, "password": password}
    url = f"{LOGIN}?next={next_url}" if next_url else LOGIN
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_page(client, zone):
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert "推进" in html and 'name="csrfmiddlewaretoken"' in html
    assert 'type="password"' in html
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_sign_in_goes_to_the_dashboard(client, zone):
    response = sign_in(client, "office_jk", PASSWORD)
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert signed_in(client)
    assert client.get(DASHBOARD).status_code == 200


def test_sign_in_returns_to_the_page_asked_for_but_not_elsewhere(client, zone):
    assert sign_in(client, "office_jk", PASSWORD, "/projects/")["Location"] == "/projects/"
    client.logout()
    assert sign_in(client, "office_jk", PASSWORD, "https://evil.example/")["Location"] == DASHBOARD


def test_wrong_password_counts_down_to_the_lock(client, zone):
    response = sign_in(client, "office_jk", "wrong")
    assert response.status_code == 200 and not signed_in(client)
    left = settings.LOGIN_MAX_FAILURES - 1
    assert f"{left} attempts left" in response.content.decode()
    assert LoginFailure.objects.get(username="office_jk").count == 1


def test_lock_out_after_repeated_failures(client, zone, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_MINUTES = 15
    for _ in range(3):
        response = sign_in(client, "office_jk", "wrong")
    html = response.content.decode()
    assert "locked" in html and "Try again after" in html
    until = LoginFailure.objects.get(username="office_jk").locked_until
    assert datetime.timedelta(minutes=14) < until - timezone.now() <= datetime.timedelta(minutes=15)
    assert timezone.localtime(until).strftime("%H:%M") in html

    # During the lock-out the right password is refused too.
    response = sign_in(client, "office_jk", PASSWORD)
    assert not signed_in(client)
    assert "locked" in response.content.decode()
    # The lock is per user name, whatever its case; other names still sign in.
    sign_in(client, "OFFICE_JK", PASSWORD)
    assert not signed_in(client)
    sign_in(client, "leader_jk", PASSWORD)
    assert signed_in(client)
    client.logout()

    # When the lock-out is over, the right password works and clears the record.
    LoginFailure.objects.filter(username="office_jk").update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = sign_in(client, "office_jk", PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    assert not LoginFailure.objects.filter(username="office_jk").exists()


def test_success_resets_the_count(client, zone, settings):
    settings.LOGIN_MAX_FAILURES = 3
    sign_in(client, "office_jk", "wrong")
    sign_in(client, "office_jk", "wrong")
    sign_in(client, "office_jk", PASSWORD)
    assert signed_in(client)
    client.logout()
    sign_in(client, "office_jk", "wrong")
    sign_in(client, "office_jk", "wrong")
    assert LoginFailure.objects.get(username="office_jk").locked_until is None
    sign_in(client, "office_jk", PASSWORD)
    assert signed_in(client)


def test_old_failures_do_not_count(client, zone, settings):
    settings.LOGIN_MAX_FAILURES = 2
    sign_in(client, "office_jk", "wrong")
    LoginFailure.objects.filter(username="office_jk").update(
        last_failure=timezone.now() - datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    )
    sign_in(client, "office_jk", "wrong")
    assert LoginFailure.objects.get(username="office_jk").locked_until is None


def test_unknown_user_names_are_locked_too(client, zone, settings):
    """So that trying names does not tell which exist."""
    settings.LOGIN_MAX_FAILURES = 2
    sign_in(client, "nobody", "x")
    response = sign_in(client, "nobody", "x")
    assert "locked" in response.content.decode()


def test_inactive_user_cannot_sign_in(client, zone):
    user = zone["users"]["viewer"]
    user.is_active = False
    user.save()
    sign_in(client, "viewer_jk", PASSWORD)
    assert not signed_in(client)


def test_sign_out_is_post_only(client, zone, login):
    client = login(zone["users"]["admin"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in(client)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not signed_in(client)
    assert client.get(DASHBOARD).status_code == 302


def test_idle_session_is_signed_out(client, zone):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    sign_in(client, "office_jk", PASSWORD)
    key = client.session.session_key
    # Activity pushes the expiry forward by the idle time (saved at most once a minute) …
    session = client.session
    session["_refreshed"] = 0  # last saved long ago
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(minutes=1))
    assert client.get(DASHBOARD).status_code == 200
    assert Session.objects.get(session_key=key).expire_date > timezone.now() + datetime.timedelta(minutes=29)
    # … and a session idle for longer has expired.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_already_signed_in_skips_the_form(zone, login):
    assert login(zone["users"]["admin"]).get(LOGIN)["Location"] == DASHBOARD


def test_a_good_password_passes(zone):
    validate_password("Tuijin#2022pass", zone["users"]["viewer"])


@pytest.mark.parametrize(
    "password, code",
    [
        ("Short#1a", "password_too_short"),  # under 10 characters
        ("onlyletters-and-symbols", "password_classes"),  # no digit
        ("Abcdefgh12345", "password_classes"),  # no symbol
        ("12345678901234", "password_entirely_numeric"),
        ("password123", "password_too_common"),
        ("viewer_jk#2022", "password_too_similar"),
    ],
)
def test_password_rules(zone, password, code):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, zone["users"]["viewer"])
    assert code in {e.code for e in exc.value.error_list}
