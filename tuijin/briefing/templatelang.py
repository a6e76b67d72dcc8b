"""The briefing template language: Django's template language in a locked-down engine, over plain data.

The office edits templates as text in the browser, so the engine is its own `django.template.Engine` with nothing
it does not need: no loaders (no {% include %} or {% extends %}), no {% load %}, no {% url %}, {% debug %} or
{% csrf_token %}, no autoescaping (the output is text, not HTML), and only the harmless built-in tags and filters
plus tuijin's own filters for figures (below). The context is plain dicts, lists, strings, numbers and Decimals
(context.py), never model instances, so a template can read figures and nothing else.

Filters of our own:
    {{ x|yi }}           万元 → 亿元, two decimals (123456.78 → 12.35)
    {{ x|wan }}          万元, two decimals
    {{ x|pct }}          a percentage (85.3 → 85.3%; none → —); {{ x|pct:0 }} rounds to whole points
    {{ a|share:b }}      a ÷ b as a percentage with one decimal (2|share:3 → 66.7%)
    {{ x|points }}       the size of a gap in points, one decimal, without its sign (−3.25 → 3.3)
    {{ x|gap }}          a gap to 序时进度 in words: 高于序时进度3.2个百分点 / 低于… / 与序时进度持平
    {{ n|cn }}           a Chinese numeral (12 → 十二)
    {{ d|cn_date }}      a date (or YYYY-MM-DD) → 2022年11月30日
    {{ d|cn_month }}     → 2022年11月
    {{ x|abs }}          the absolute value
    {{ s|clause }}       text without its closing punctuation (to sit inside a sentence)

Errors: `check(source)` compiles and returns the syntax errors with their line numbers; `render(source, context)`
returns the text and the problems met while rendering (unknown variables, errors), each with its line.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.utils.translation import gettext as _

register = Library()

ALLOWED_TAGS = (
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "regroup",
    "resetcycle",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)
ALLOWED_FILTERS = (
    "add",
    "capfirst",
    "center",
    "cut",
    "date",
    "default",
    "default_if_none",
    "dictsort",
    "dictsortreversed",
    "divisibleby",
    "first",
    "floatformat",
    "join",
    "last",
    "length",
    "ljust",
    "lower",
    "make_list",
    "rjust",
    "slice",
    "stringformat",
    "time",
    "truncatechars",
    "truncatewords",
    "upper",
    "wordcount",
    "yesno",
)
for _name in ALLOWED_TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]
for _name in ALLOWED_FILTERS:
    register.filters[_name] = defaultfilters.register.filters[_name]

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
NONE_SHOWN = "—"
UNKNOWN = "【未知：%s】"  # shows an unknown variable where it was used, in the preview and the generated text
UNKNOWN_RE = re.compile(r"【未知：([^】]*)】")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def yi(value) -> str:
    """万元 → 亿元 with two decimals, rounded half up (the headline unit)."""
    d = _decimal(value)
    return NONE_SHOWN if d is None else str((d / 10000).quantize(CENT, rounding=ROUND_HALF_UP))


@register.filter
def wan(value) -> str:
    d = _decimal(value)
    return NONE_SHOWN if d is None else str(d.quantize(CENT, rounding=ROUND_HALF_UP))


@register.filter
def pct(value, digits=None) -> str:
    d = _decimal(value)
    if d is None:
        return NONE_SHOWN
    if digits not in (None, ""):
        d = d.quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP)
    return f"{d}%"


@register.filter
def share(part, whole) -> str:
    """part ÷ whole in percent with one decimal, as projects.selectors.rate computes every rate."""
    from tuijin.projects.selectors import rate

    try:
        value = rate(int(part or 0), int(whole or 0))
    except (TypeError, ValueError):
        return NONE_SHOWN
    return NONE_SHOWN if value is None else f"{value}%"


@register.filter
def points(value) -> str:
    d = _decimal(value)
    return NONE_SHOWN if d is None else str(abs(d).quantize(TENTH, rounding=ROUND_HALF_UP))


@register.filter
def gap(value) -> str:
    d = _decimal(value)
    if d is None:
        return "无年度计划，不计算序时进度"
    d = d.quantize(TENTH, rounding=ROUND_HALF_UP)
    if d > 0:
        return f"高于序时进度{d}个百分点"
    if d < 0:
        return f"低于序时进度{-d}个百分点"
    return "与序时进度持平"


@register.filter
def clause(value) -> str:
    """Text without its closing punctuation, to go inside a sentence (协调办理施工许可。 → 协调办理施工许可)."""
    return str(value or "").strip().rstrip("。；;，,.！!？?")


@register.filter(name="abs")
def abs_(value):
    d = _decimal(value)
    return "" if d is None else abs(d)


@register.filter
def cn(value) -> str:
    from tuijin.core.docx import cn_number

    try:
        return cn_number(int(value))
    except (TypeError, ValueError):
        return str(value)


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


@register.filter
def cn_date(value) -> str:
    d = _date(value)
    return f"{d.year}年{d.month}月{d.day}日" if d else str(value or "")


@register.filter
def cn_month(value) -> str:
    d = _date(value)
    return f"{d.year}年{d.month}月" if d else str(value or "")


class BriefingEngine(Engine):
    """An engine whose only builtins are this module's library (Engine adds Django's defaults otherwise)."""

    default_builtins: list[str] = []


ENGINE = BriefingEngine(
    dirs=[],
    app_dirs=False,
    loaders=[],
    builtins=[__name__],
    libraries={},
    autoescape=False,
    debug=True,  # exceptions carry the line they were raised on (template_debug)
    string_if_invalid=UNKNOWN,
)


@dataclass(frozen=True)
class Problem:
    """A problem in a template: the line (1-based, 0 when unknown) and the message."""

    line: int
    message: str
    where: str = ""  # "title", "text", or "result" (a line of the rendered text)

    def __str__(self) -> str:
        if self.where == "title":
            where = _("title")
        elif self.where == "result":
            where = _("line %(n)s of the result") % {"n": self.line}
        else:
            where = _("line %(n)s") % {"n": self.line}
        return f"{where}: {self.message}"


def _problem(exc: Exception, where: str) -> Problem:
    info = getattr(exc, "template_debug", None) or {}
    line = info.get("line", 0)
    message = str(exc)
    message = re.sub(r" on line \d+", "", message)  # the line is shown on its own
    if isinstance(exc, TemplateSyntaxError) and "Invalid block tag" in message:
        message += " " + _("(allowed tags: %(tags)s)") % {"tags": ", ".join(ALLOWED_TAGS)}
    return Problem(line=line, message=message, where=where)


def compile_template(source: str, where: str = "text"):
    """The compiled template, or a Problem when it does not compile."""
    try:
        return ENGINE.from_string(source), None
    except TemplateSyntaxError as exc:
        return None, _problem(exc, where)


def check(source: str, where: str = "text") -> list[Problem]:
    """Syntax errors of a template (with line numbers), empty when it compiles."""
    _template, problem = compile_template(source, where)
    return [problem] if problem else []


def render(source: str, context: dict, where: str = "text") -> tuple[str, list[Problem]]:
    """Render `source` over `context`. Returns (text, problems): a syntax or render error gives empty text and
    the error; unknown variables stay visible in the text as 【未知：name】 and are listed as problems."""
    template, problem = compile_template(source, where)
    if problem:
        return "", [problem]
    try:
        text = template.render(Context(context, autoescape=False))
    except Exception as exc:  # noqa: BLE001 - a template error of any kind is the author's to fix, shown with its line
        return "", [_problem(exc, where)]
    problems = []
    for n, line in enumerate(text.splitlines(), start=1):
        for name in UNKNOWN_RE.findall(line):
            problems.append(
                Problem(
                    line=n,
                    message=_("unknown variable %(name)s") % {"name": name},
                    where="title" if where == "title" else "result",
                )
            )
    return text, problems
