"""The notification channel settings page: the office manages its region's units' channels, every user their own;
bad input shows the reason (in Chinese) and writes nothing; the test button posts to the robot at once and shows the
result inline; keys and secrets are masked; the last delivery (sent, or failed with the error) is shown."""

from __future__ import annotations

import datetime
import re
import threading

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tuijin.coordination.choices import ChannelKind, DeliveryState
from tuijin.coordination.models import Channel, Delivery

from .test_channels import Receiver

pytestmark = pytest.mark.django_db

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa5x7q"
DING = (
    "https://oapi.dingtalk.com/robot/send?access_token=6d2f0b1e9c8a7f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e"
)


@pytest.fixture
def robot():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _rows() -> list:
    return list(Channel.objects.order_by("id").values_list("kind", "organization_id", "user_id", "address", "secret"))


def _add(client, **data):
    return client.post(reverse("coordination:channel_add"), data)


def test_the_office_adds_a_units_robot_and_sees_it_masked(co, login):
    client = login(co["users"]["admin"])
    dept = co["department"]
    response = _add(client, owner=f"unit:{dept.pk}", kind="wecom", address=WECOM)
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert (channel.kind, channel.organization, channel.user, channel.address) == ("wecom", dept, None, WECOM)
    _add(client, owner=f"unit:{dept.pk}", kind="dingtalk", address=DING, secret="SEC0123456789abcdefXYZ9")
    html = _text(client.get(reverse("coordination:channels")))
    assert "key=••••x7q" not in html and "key=••••5x7q" in html  # the last 4 characters only
    assert "access_token=••••0f9e" in html and "6d2f0b1e" not in html
    assert "••••XYZ9" in html and "SEC0123456789" not in html
    assert re.search(rf'id="unit-channels".*data-channel="{channel.pk}"', html)


def test_every_user_manages_their_own_channels(co, login):
    dept_user = co["users"]["department"]
    dept_user.email = "dept@zone.example"
    dept_user.save()
    client = login(dept_user)
    assert _add(client, owner="me", kind="email", address="").status_code == 302
    assert _add(client, owner="me", kind="dingtalk", address=DING).status_code == 302
    assert [(k, u) for k, _o, u, _a, _s in _rows()] == [("email", dept_user.pk), ("dingtalk", dept_user.pk)]
    html = _text(client.get(reverse("coordination:channels")))
    assert "dept@zone.example" in html  # a blank address means the account's own email
    mine = Channel.objects.get(kind="dingtalk")
    client.post(reverse("coordination:channel_toggle", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.active is False
    client.post(reverse("coordination:channel_toggle", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.active is True
    client.post(reverse("coordination:channel_delete", args=[mine.pk]))
    assert not Channel.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize(
    ("data", "field", "chinese"),
    [
        ({"kind": "wecom", "address": "not a url"}, "address", "请填写群机器人的 Webhook 地址"),
        ({"kind": "dingtalk", "address": "qyapi.weixin.qq.com/send"}, "address", "请填写群机器人的 Webhook 地址"),
        ({"kind": "email", "address": "dept@@zone"}, "address", "不是电子邮箱地址"),
        ({"kind": "wecom", "address": WECOM, "secret": "SECabc"}, "secret", "只有钉钉机器人有加签密钥"),
        ({"kind": "email", "address": ""}, "address", "单位的邮件渠道需要填写邮箱地址"),
    ],
)
def test_bad_input_shows_the_reason_in_chinese_and_writes_nothing(co, client, data, field, chinese):
    """In the default language (zh-hans): the service's reason, in Chinese, on the field; no channel written."""
    client.force_login(co["users"]["admin"])
    before = _rows()
    response = client.post(reverse("coordination:channel_add"), {"owner": f"unit:{co['department'].pk}", **data})
    html = _text(response)
    assert response.status_code == 200
    error = re.search(rf'data-error="{field}">([^<]+)<', html)
    assert error and chinese in error.group(1)
    assert _rows() == before


def test_a_user_cannot_add_a_units_channel_or_touch_one(co, login):
    dept = co["department"]
    office = login(co["users"]["admin"])
    _add(office, owner=f"unit:{dept.pk}", kind="wecom", address=WECOM)
    unit_channel = Channel.objects.get()
    client = login(co["users"]["department"])
    before = _rows()
    response = _add(client, owner=f"unit:{dept.pk}", kind="wecom", address=WECOM)
    assert response.status_code == 200 and 'data-error="owner"' in _text(response) and _rows() == before
    # the department sees its unit's channel, read-only
    html = _text(client.get(reverse("coordination:channels")))
    assert f'data-channel="{unit_channel.pk}"' in html
    assert reverse("coordination:channel_toggle", args=[unit_channel.pk]) not in html
    for name in ("channel_toggle", "channel_delete", "channel_test"):
        assert client.post(reverse(f"coordination:{name}", args=[unit_channel.pk])).status_code == 403
    # outside the region it does not exist
    client = login(co["users"]["admin_out"])
    assert unit_channel.pk not in [
        int(pk) for pk in re.findall(r'data-channel="(\d+)"', _text(client.get(reverse("coordination:channels"))))
    ]
    for name in ("channel_toggle", "channel_delete", "channel_test"):
        assert client.post(reverse(f"coordination:{name}", args=[unit_channel.pk])).status_code == 404
    assert _rows() == before and Channel.objects.get().active


def test_the_test_button_posts_at_once_and_shows_the_result_inline(co, login, robot):
    client = login(co["users"]["admin"])
    _add(client, owner=f"unit:{co['department'].pk}", kind="wecom", address=robot.url("/cgi-bin/webhook/send?key=k1"))
    channel = Channel.objects.get()
    url = reverse("coordination:channel_test", args=[channel.pk])
    robot.script = [-1]  # the robot refuses: errcode 310000
    html = _text(client.post(url, HTTP_HX_REQUEST="true"))
    assert 'data-test="failed"' in html and "310000" in html and "<html" not in html
    html = _text(client.post(url, HTTP_HX_REQUEST="true"))
    assert 'data-test="sent"' in html
    assert len(robot.accepted()) == 1 and robot.accepted()[0]["json"]["msgtype"] == "markdown"
    assert not Delivery.objects.exists()  # a test goes out at once, not through the queue


def test_the_test_button_on_an_email_channel(co, login):
    user = co["users"]["leader"]
    user.email = "leader@zone.example"
    user.save()
    client = login(user)
    _add(client, owner="me", kind="email", address="")
    response = client.post(reverse("coordination:channel_test", args=[Channel.objects.get().pk]), follow=True)
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["leader@zone.example"]]


def test_the_last_delivery_is_shown_with_its_error(co, login):
    client = login(co["users"]["admin"])
    _add(client, owner=f"unit:{co['department'].pk}", kind="dingtalk", address=DING)
    channel = Channel.objects.get()
    now = timezone.now()
    Delivery.objects.create(
        channel=channel, key="ev:1", title="交办", state=DeliveryState.SENT, sent_at=now, next_attempt_at=now
    )
    Delivery.objects.create(
        channel=channel,
        key="ev:2",
        title="督办",
        state=DeliveryState.FAILED,
        attempts=8,
        last_error="errcode 310000: sign not match",
        claimed_at=now + datetime.timedelta(minutes=5),
        next_attempt_at=now,
    )
    Delivery.objects.create(channel=channel, key="ev:3", title="提醒", next_attempt_at=now)
    html = _text(client.get(reverse("coordination:channels")))
    row = re.search(rf'<tr data-channel="{channel.pk}".*?</tr>', html).group(0)
    assert 'data-last-failure="failed"' in row and "sign not match" in row
    assert timezone.localtime(now).strftime("%Y-%m-%d %H:%M") in row  # the last message that went out
    assert 'data-waiting="1"' in row
    # once a message goes out after the failure, the failure is history
    Delivery.objects.filter(key="ev:3").update(state=DeliveryState.SENT, sent_at=now + datetime.timedelta(minutes=9))
    row = re.search(rf'<tr data-channel="{channel.pk}".*?</tr>', _text(client.get(reverse("coordination:channels"))))
    assert "data-last-failure" not in row.group(0) and "sign not match" not in row.group(0)
    assert channel.kind == ChannelKind.DINGTALK


def test_channel_changes_are_on_record_without_the_robots_key_or_secret(co, login):
    from tuijin.core.models import ChangeRecord

    client = login(co["users"]["admin"])
    dept = co["department"]
    before = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    _add(client, owner=f"unit:{dept.pk}", kind="dingtalk", address=DING, secret="SEC0123456789abcdefXYZ9")
    channel = Channel.objects.get()
    client.post(reverse("coordination:channel_toggle", args=[channel.pk]))
    client.post(reverse("coordination:channel_delete", args=[channel.pk]))
    records = [
        r for r in ChangeRecord.objects.filter(id__gt=before).order_by("id") if r.content_type.model == "channel"
    ]
    assert [r.action for r in records] == ["create", "update", "delete"]
    assert all(r.user == co["users"]["admin"] for r in records)
    created = records[0].after
    assert created["address"].endswith("access_token=••••0f9e") and created["secret"] == "••••XYZ9"
    assert records[1].before["active"] is True and records[1].after["active"] is False
    text = str([(r.before, r.after) for r in records])
    assert "6d2f0b1e" not in text and "SEC0123456789" not in text
