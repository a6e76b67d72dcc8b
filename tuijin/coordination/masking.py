"""How a channel's address and secret are shown: on pages, by `tuijin channels` and in the change log."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

# A robot's webhook URL carries its password in these parameters; a DingTalk robot also has a signing secret.
SECRET_PARAMS = ("key", "access_token")
VISIBLE_TAIL = 4


def mask_secret(value: str) -> str:
    """All but the last 4 characters hidden."""
    if len(value) <= VISIBLE_TAIL:
        return "•" * len(value)
    return "••••" + value[-VISIBLE_TAIL:]


def mask_address(address: str) -> str:
    """A webhook URL with its key / access_token masked; email addresses as they are. Pages, the command and the
    change log show channels only this way."""
    if "://" not in address:
        return address
    parts = urlsplit(address)
    pairs = []
    for pair in parts.query.split("&") if parts.query else []:
        name, sep, value = pair.partition("=")
        pairs.append(f"{name}{sep}{mask_secret(value)}" if name in SECRET_PARAMS else pair)
    return urlunsplit(parts._replace(query="&".join(pairs)))
