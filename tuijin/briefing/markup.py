"""The block markup of a rendered briefing: one block per non-empty line.

    = 2022年11月份全区重点项目建设进展情况     a centred title (小标宋)
    # 一、总体情况                             a heading (黑体)
    ## （一）签约一批                          a subheading (楷体)
    [[table:investment_by_unit]]              a table from tables.TABLES (with its totals row)
    [[chart:investment_monthly]]              a chart from tables.CHARTS (an image)
    [[pagebreak]]                             a new page
    any other line                            a body paragraph (仿宋, first line indented two characters)

Blank lines separate nothing and are dropped, so template tags on lines of their own leave no trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .templatelang import Problem

DIRECTIVE = re.compile(r"^\[\[\s*(?:(table|chart)\s*:\s*([A-Za-z0-9_-]+)|(pagebreak))\s*\]\]$")
ANY_DIRECTIVE = re.compile(r"\[\[([^\]]*)\]\]")


@dataclass(frozen=True)
class Block:
    kind: str  # title, heading, subheading, para, table, chart, pagebreak
    text: str = ""
    name: str = ""  # the table or chart
    line: int = 0


def parse(text: str) -> list[Block]:
    blocks = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        m = DIRECTIVE.match(line)
        if m:
            if m.group(3):
                blocks.append(Block("pagebreak", line=n))
            else:
                blocks.append(Block(m.group(1), name=m.group(2), line=n))
        elif line.startswith("= ") or line == "=":
            blocks.append(Block("title", line[1:].strip(), line=n))
        elif line.startswith("## "):
            blocks.append(Block("subheading", line[3:].strip(), line=n))
        elif line.startswith("# "):
            blocks.append(Block("heading", line[2:].strip(), line=n))
        else:
            blocks.append(Block("para", line, line=n))
    return blocks


def check_directives(text: str, tables, charts, where: str = "text") -> list[Problem]:
    """Every [[…]] in `text` (a template or a briefing's text) must name a known table or chart and stand on a
    line of its own; one problem per offending line."""
    problems = []
    for n, raw in enumerate(text.splitlines(), start=1):
        for inner in ANY_DIRECTIVE.findall(raw):
            token = f"[[{inner}]]"
            m = DIRECTIVE.match(token)
            if not m:
                problems.append(Problem(n, _("unknown directive %(d)s") % {"d": token}, where))
                continue
            if m.group(3):
                name_ok = True
            else:
                kind, name = m.group(1), m.group(2)
                name_ok = name in (tables if kind == "table" else charts)
            if not name_ok:
                known = ", ".join(sorted(tables if m.group(1) == "table" else charts))
                problems.append(
                    Problem(n, _("unknown %(kind)s %(name)s (known: %(known)s)") % {**_named(m), "known": known}, where)
                )
            elif raw.strip() != token and not _only_tags_around(raw, token):
                problems.append(Problem(n, _("%(d)s must stand on a line of its own") % {"d": token}, where))
    return problems


def _named(m) -> dict:
    return {"kind": m.group(1), "name": m.group(2)}


def _only_tags_around(raw: str, token: str) -> bool:
    """`{% if x %}[[table:a]]{% else %}[[table:b]]{% endif %}` is fine in a template: only template tags (and
    the other choices) share the line."""
    rest = re.sub(r"\{%.*?%\}|\{#.*?#\}", "", ANY_DIRECTIVE.sub("", raw))
    return not rest.strip()
