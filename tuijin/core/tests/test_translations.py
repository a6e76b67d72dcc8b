"""The Simplified Chinese catalogue: complete, compiled, covering the code, and actually used.

Users see Chinese first (LANGUAGE_CODE zh-hans); the code's msgids are English. When a test here fails
because of new or changed strings, run `scripts/messages`, translate the new entries of
tuijin/locale/zh_Hans/LC_MESSAGES/django.po (empty msgstr or `#, fuzzy`), and run it again to compile.
"""

from __future__ import annotations

import ast
import gettext as gettext_module
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

PACKAGE = Path(settings.BASE_DIR)
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
FIX = "run scripts/messages, translate the new entries of django.po, and run scripts/messages again"

# Catalogue entries whose translation may be written without Chinese characters or punctuation.
NO_CJK_NEEDED = {"API", "A3 PDF"}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
NAMED = re.compile(r"%\(([^)]*)\)[-#0 +]*\d*(?:\.\d+)?[a-z]")
BRACED = re.compile(r"\{[A-Za-z_][A-Za-z_0-9]*\}")


# --- a tiny .po reader (polib is not a dependency) ----------------------------------------------------------------

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), "\\" + m.group(1)), text[1:-1])


def parse_po(path: Path = PO) -> list[dict]:
    """Entries as dicts: flags, ctxt, id, plural, strs ({-1: msgstr} or {0: msgstr[0], …}), obsolete."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        e = {"flags": set(), "ctxt": None, "id": None, "plural": None, "strs": {}, "obsolete": False}
        current = None
        for line in block.splitlines():
            if line.startswith("#~"):
                e["obsolete"] = True
            elif line.startswith("#,"):
                e["flags"] |= {f.strip() for f in line[2:].split(",") if f.strip()}
            elif line.startswith("#"):
                continue
            elif m := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line):
                keyword, index, value = m.group(1), m.group(2), _unquote(m.group(3))
                if keyword == "msgstr":
                    current = ("strs", int(index) if index is not None else -1)
                    e["strs"][current[1]] = value
                else:
                    current = ({"msgctxt": "ctxt", "msgid": "id", "msgid_plural": "plural"}[keyword], None)
                    e[current[0]] = value
            elif line.startswith('"') and current:
                if current[0] == "strs":
                    e["strs"][current[1]] += _unquote(line)
                else:
                    e[current[0]] += _unquote(line)
        if e["id"] is not None or e["obsolete"]:
            entries.append(e)
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    entries = parse_po()
    assert entries and entries[0]["id"] == "", "the catalogue has no header entry"
    return entries


def messages(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["id"] and not e["obsolete"]]


# --- (a) the catalogue is complete ------------------------------------------------------------------------------


def test_header_declares_chinese_with_one_plural_form(catalogue):
    header = catalogue[0]
    assert "fuzzy" not in header["flags"]
    text = header["strs"][-1]
    assert "Plural-Forms: nplurals=1; plural=0;" in text
    assert "Content-Type: text/plain; charset=UTF-8" in text
    assert re.search(r"^Language: zh_Hans$", text, re.M)


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    untranslated = [e["id"] for e in messages(catalogue) if not all(e["strs"].values()) or not e["strs"]]
    fuzzy = [e["id"] for e in messages(catalogue) if "fuzzy" in e["flags"]]
    assert not untranslated, f"untranslated: {untranslated[:20]} ({len(untranslated)}): {FIX}"
    assert not fuzzy, f"fuzzy (check and remove the flag): {fuzzy[:20]} ({len(fuzzy)}): {FIX}"
    assert not [e for e in catalogue if e["obsolete"]], "obsolete entries: run scripts/messages (--no-obsolete)"


def test_plural_entries_fill_the_single_chinese_form(catalogue):
    for e in messages(catalogue):
        if e["plural"] is not None:
            assert set(e["strs"]) == {0}, e["id"]


def test_translations_keep_every_placeholder(catalogue):
    for e in messages(catalogue):
        for text in e["strs"].values():
            for source in [e["id"]] + ([e["plural"]] if e["plural"] else []):
                if "python-format" in e["flags"]:
                    assert set(NAMED.findall(text)) == set(NAMED.findall(source)), (e["id"], text)
                assert set(BRACED.findall(text)) == set(BRACED.findall(source)), (e["id"], text)


def test_translations_are_chinese(catalogue):
    """A msgstr without a single Chinese character or full-width mark is almost always a copied msgid."""
    suspicious = [
        (e["id"], s)
        for e in messages(catalogue)
        for s in e["strs"].values()
        if s and not CJK.search(s) and e["id"] not in NO_CJK_NEEDED
    ]
    assert not suspicious, suspicious


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext (msgfmt) is not installed")
def test_msgfmt_accepts_the_catalogue():
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(PO)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- (b) the compiled catalogue matches the source --------------------------------------------------------------


def test_mo_is_compiled_from_the_current_po(catalogue):
    assert MO.exists(), f"{MO.name} is missing: {FIX}"
    with MO.open("rb") as fh:
        compiled = dict(gettext_module.GNUTranslations(fh)._catalog)
    compiled.pop("", None)  # the header
    expected = {}
    for e in messages(catalogue):
        if "fuzzy" in e["flags"] or not all(e["strs"].values()):
            continue  # msgfmt leaves these out
        key = e["id"] if e["ctxt"] is None else f"{e['ctxt']}\x04{e['id']}"
        if e["plural"] is None:
            expected[key] = e["strs"][-1]
        else:
            for i, text in e["strs"].items():
                expected[(key, i)] = text
    stale = {k for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k)}
    assert not stale, f"django.mo is out of date with django.po ({sorted(map(str, stale))[:10]}): {FIX}"


# --- (c) the catalogue covers the code ---------------------------------------------------------------------------

GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "gettext_noop"}
SKIP_DIRS = {"tests", "static", "locale", "migrations", "__pycache__"}


def _source_files(suffix: str):
    for path in sorted(PACKAGE.rglob(f"*{suffix}")):
        if not SKIP_DIRS & set(path.relative_to(PACKAGE).parts[:-1]):
            yield path


def _python_msgids() -> dict[str, str]:
    """msgid -> first place, for every gettext call with a literal argument."""
    found = {}
    for path in _source_files(".py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_NAMES
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


TRANSLATE_TAG = re.compile(r"""\{%\s*translate\s+(?:"([^"]*)"|'([^']*)')""")
UNDERSCORE = re.compile(r"""\b_\((?:"([^"]*)"|'([^']*)')\)""")
BLOCK = re.compile(r"\{%\s*blocktranslate\b([^%]*)%\}(.*?)\{%\s*(?:plural|endblocktranslate)\s*%\}", re.S)


def _block_msgid(options: str, body: str) -> str:
    text = body.replace("%", "%%")
    if "trimmed" in options.split():
        text = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return re.sub(r"\{\{\s*(.*?)\s*\}\}", lambda m: f"%({m.group(1)})s", text)


def _template_msgids() -> dict[str, str]:
    found = {}
    for path in _source_files(".html"):
        text = path.read_text(encoding="utf-8")
        for regex in (TRANSLATE_TAG, UNDERSCORE):
            for m in regex.finditer(text):
                found.setdefault(m.group(1) if m.group(1) is not None else m.group(2), f"{path.relative_to(PACKAGE)}")
        for m in BLOCK.finditer(text):
            found.setdefault(_block_msgid(m.group(1), m.group(2)), f"{path.relative_to(PACKAGE)}")
    return found


# Called only inside f-strings, which xgettext 0.21 does not read, so makemessages never extracts them and they
# stay English. The fix is in the code: translate outside the f-string (`row = _("row")`). Remove an entry
# once it reaches the catalogue; add none.
NOT_EXTRACTED: set[str] = set()  # gettext calls the extractor cannot see (inside f-strings): keep it empty


def test_every_string_in_the_code_is_in_the_catalogue(catalogue):
    known = {e["id"] for e in messages(catalogue)} | {e["plural"] for e in messages(catalogue) if e["plural"]}
    wanted = {**_template_msgids(), **_python_msgids()}
    missing = sorted(
        f"{where}: {msgid!r}" for msgid, where in wanted.items() if msgid not in known and msgid not in NOT_EXTRACTED
    )
    assert not missing, f"{len(missing)} strings of the code are not in the catalogue: {missing[:15]}: {FIX}"


# --- (d) Chinese is what users get ------------------------------------------------------------------------------


def test_chinese_is_the_default_language():
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override("zh-hans"):
        assert translation.gettext("Ledger") == "项目台账"
        assert translation.gettext("Sign batch") == "签约一批"
        assert translation.gettext("Start batch") == "开工一批"
        assert translation.gettext("Commission batch") == "投产一批"
        assert translation.ngettext("%(n)s project", "%(n)s projects", 3) % {"n": 3} == "3 个项目"
    with translation.override("en"):
        assert translation.gettext("Ledger") == "Ledger"


@pytest.mark.django_db
def test_login_page_is_chinese_by_default_and_english_on_request():
    page = Client().get("/accounts/login/").content.decode()
    assert 'lang="zh-hans"' in page
    assert "登录" in page and "密码" in page
    assert "Sign in" not in page
    english = Client(headers={"accept-language": "en"}).get("/accounts/login/").content.decode()
    assert "Sign in" in english and "登录账号" not in english


@pytest.mark.django_db
def test_import_ledger_reports_problems_in_chinese_by_default(tmp_path):
    from tuijin.core.testing import period, region_tree
    from tuijin.projects.tests.builders import write_ledger

    region_tree()
    period(7, "2022-12-25")
    headers = ["项目名称", "建设单位", "批次", "期次", "总投资(万元)"]
    path = write_ledger(tmp_path / "bad.xlsx", [["项目乙", "乙公司", "签到", 7, -5]], headers=headers)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_ledger", path, "--region", "410171", stdout=out, stderr=err)
    problems = err.getvalue()
    assert "行" in problems and "批次" in problems and "不能为负数" in problems
    assert "row" not in problems.lower() and "cannot" not in problems
    assert "未导入任何数据" in str(exc.value)
