"""Chinese numerals for period names: 7 ↔ 七, 第七期."""

import re
import unicodedata

DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return DIGITS[n // 10] + "十" + (DIGITS[n % 10] if n % 10 else "")
    return str(n)


def from_chinese(text: str) -> int | None:
    """七 → 7, 十二 → 12, 二十 → 20; None when it is not a numeral below 100."""
    if not text or any(c not in DIGITS + "十两〇" for c in text):
        return None
    text = text.replace("两", "二").replace("〇", "零")
    if "十" not in text:
        return DIGITS.index(text) if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if "十" in units:
        return None
    t = DIGITS.index(tens) if tens else 1
    u = DIGITS.index(units) if units else 0
    return t * 10 + u


def period_name(number: int) -> str:
    return f"第{to_chinese(number)}期"


PERIOD_RE = re.compile(r"^(?:第)?\s*([0-9]+|[零一二三四五六七八九十两〇]+)\s*(?:期|批)?$")


def parse_period(text: str) -> int | None:
    """ "7", "第7期", "第七期", "7期", "第７期" (full-width digits) → 7."""
    m = PERIOD_RE.match("".join(unicodedata.normalize("NFKC", str(text)).split()))
    if not m:
        return None
    token = m.group(1)
    return int(token) if token.isdigit() else from_chinese(token)
