"""Sending one message to one channel: email through Django's email backend, WeCom and DingTalk group robots
through their webhooks. Each sender raises `SendError` on failure; the delivery queue retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

from ..choices import ChannelKind

HTTP_TIMEOUT = 10  # seconds; a robot that does not answer in time is a failed attempt, retried later
MARKDOWN_LIMIT = 4000  # WeCom caps markdown content at 4096 bytes; keep the message well inside


class SendError(Exception):
    """The channel did not take the message (the text goes to Delivery.last_error)."""


def full_url(url: str) -> str:
    """A link in an email or robot message: absolute when TUIJIN_SITE_URL is set."""
    if url and url.startswith("/") and settings.TUIJIN_SITE_URL:
        return settings.TUIJIN_SITE_URL + url
    return url


def markdown_text(title: str, body: str, url: str) -> str:
    parts = [f"**{title}**"]
    if body:
        parts.append(body)
    link = full_url(url)
    if link:
        parts.append(f"[{link}]({link})" if link.startswith("http") else link)
    text = "\n\n".join(parts)
    return text[:MARKDOWN_LIMIT]


def wecom_payload(title: str, body: str, url: str) -> dict:
    """企业微信群机器人: a markdown message."""
    return {"msgtype": "markdown", "markdown": {"content": markdown_text(title, body, url)}}


def dingtalk_payload(title: str, body: str, url: str) -> dict:
    """钉钉群机器人: a markdown message (the title shows in the conversation list)."""
    return {"msgtype": "markdown", "markdown": {"title": title[:64], "text": markdown_text(title, body, url)}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64 of HMAC-SHA256(secret, "timestamp\\nsecret"), URL-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The webhook URL with `&timestamp=…&sign=…` appended (unchanged when the robot has no secret)."""
    if not secret:
        return url
    ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}timestamp={ts}&sign={dingtalk_sign(secret, ts)}"


def post_json(url: str, payload: dict) -> None:
    """POST the payload; both robots answer HTTP 200 with {"errcode": 0, …} when they took the message."""
    if not url.startswith(("http://", "https://")):
        raise SendError(f"not a webhook URL: {url[:80]}")
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 - http(s) checked
            raw = response.read(65536)
    except urllib.error.HTTPError as e:
        raise SendError(f"HTTP {e.code}") from e
    except (urllib.error.URLError, OSError) as e:
        raise SendError(f"{type(e).__name__}: {getattr(e, 'reason', e)}") from e
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as e:
        raise SendError(f"not JSON: {raw[:200]!r}") from e
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise SendError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


def send_email(recipient: str, title: str, body: str, url: str) -> None:
    if not recipient:
        raise SendError("no email address")
    link = full_url(url)
    text = "\n\n".join(p for p in (body, link) if p)
    try:
        send_mail(title, text or title, None, [recipient], fail_silently=False)
    except Exception as e:  # noqa: BLE001 - any backend failure is a failed attempt
        raise SendError(f"{type(e).__name__}: {e}") from e


def send(channel, title: str, body: str, url: str) -> None:
    """Send one message to `channel` (a Channel) or raise SendError."""
    if channel.kind == ChannelKind.EMAIL:
        send_email(channel.recipient(), title, body, url)
    elif channel.kind == ChannelKind.WECOM:
        post_json(channel.address, wecom_payload(title, body, url))
    elif channel.kind == ChannelKind.DINGTALK:
        post_json(dingtalk_signed_url(channel.address, channel.secret), dingtalk_payload(title, body, url))
    else:
        raise SendError(f"unknown channel kind: {channel.kind}")
