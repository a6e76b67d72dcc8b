"""API tokens: create (key shown once, only a hash kept), list, revoke; a token authenticates its user."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tuijin.accounts.models import APIToken

TOKENS = reverse("accounts:tokens")


def test_anonymous_is_sent_to_sign_in(client, zone):
    for url in (TOKENS, reverse("accounts:token_revoke", args=[1])):
        response = client.get(url) if url == TOKENS else client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_create_shows_the_key_once(zone, login):
    user = zone["users"]["department"]
    client = login(user)
    response = client.post(TOKENS, {"name": "市平台对接", "expires_in": "90"})
    assert response.status_code == 200
    key = response.context["new_key"]
    token = APIToken.objects.get(user=user)
    assert key in response.content.decode()
    assert token.name == "市平台对接" and token.prefix == key[:8]
    assert key not in token.key_hash  # only the hash is stored
    assert datetime.timedelta(days=89) < token.expires - timezone.now() <= datetime.timedelta(days=90)
    listing = client.get(TOKENS).content.decode()
    assert "市平台对接" in listing and token.prefix in listing
    assert key not in listing  # never shown again


def test_the_key_authenticates_its_user_and_is_marked_used(zone, login):
    user = zone["users"]["leader"]
    key = login(user).post(TOKENS, {"name": "大屏", "expires_in": ""}).context["new_key"]
    token = APIToken.objects.get(user=user)
    assert token.expires is None and token.last_used is None
    assert APIToken.authenticate(key) == user
    token.refresh_from_db()
    assert token.last_used is not None
    assert APIToken.authenticate(key + "x") is None


def test_last_used_is_written_at_most_once_a_minute(zone, django_assert_num_queries):
    """A burst of requests with one token is not an UPDATE each: `last_used` is set on first use, then refreshed
    only once it is a minute old."""
    user = zone["users"]["leader"]
    token, key = APIToken.issue(user=user, name="对接")
    first = timezone.now()
    assert APIToken.authenticate(key, now=first) == user
    token.refresh_from_db()
    assert token.last_used == first
    with django_assert_num_queries(1):  # the token read alone: no UPDATE within the minute
        assert APIToken.authenticate(key, now=first + datetime.timedelta(seconds=59)) == user
    token.refresh_from_db()
    assert token.last_used == first
    later = first + datetime.timedelta(seconds=60)
    assert APIToken.authenticate(key, now=later) == user
    token.refresh_from_db()
    assert token.last_used == later
    # An expired token stays refused, and is not marked used.
    token.expires = later + datetime.timedelta(seconds=1)
    token.save()
    assert APIToken.authenticate(key, now=later + datetime.timedelta(minutes=5)) is None
    token.refresh_from_db()
    assert token.last_used == later


def test_expired_token_does_not_authenticate(zone):
    token, key = APIToken.issue(user=zone["users"]["viewer"], name="old")
    token.expires = timezone.now() - datetime.timedelta(seconds=1)
    token.save()
    assert APIToken.authenticate(key) is None


def test_revoke(zone, login):
    user = zone["users"]["admin"]
    token, key = APIToken.issue(user=user, name="nightly export")
    client = login(user)
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302 and response["Location"] == TOKENS
    assert not APIToken.objects.filter(pk=token.pk).exists()
    assert APIToken.authenticate(key) is None


def test_a_user_sees_and_revokes_only_their_own_tokens(zone, login):
    theirs, key = APIToken.issue(user=zone["users"]["admin_out"], name="洛阳对接")
    client = login(zone["users"]["admin"])
    assert "洛阳对接" not in client.get(TOKENS).content.decode()
    assert client.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404
    assert APIToken.authenticate(key) == zone["users"]["admin_out"]


def test_name_is_required(zone, login):
    response = login(zone["users"]["admin"]).post(TOKENS, {"name": "", "expires_in": "30"})
    assert response.context["form"].errors["name"]
    assert not APIToken.objects.exists()
