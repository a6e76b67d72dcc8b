"""The command line: import-ledger (exit status 2 and every problem on stderr), dry run, export, stats,
regions and periods."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tuijin.accounts.models import Leader, Organization
from tuijin.core.models import ChangeRecord
from tuijin.core.testing import period, region_tree
from tuijin.investment.models import AnnualPlan
from tuijin.projects.models import Listing, Period, Project
from tuijin.projects.tests.builders import write_ledger
from tuijin.regions.models import Region

H = ["项目名称", "建设单位", "批次", "期次", "总投资(万元)", "签约时间", "调整情况"]


@pytest.fixture
def base(db):
    region_tree()
    period(6, "2022-09-20")
    period(7, "2022-12-25")


def counts():
    return [m.objects.count() for m in (Project, Listing, Organization, Leader, AnnualPlan, ChangeRecord)]


def cli(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def cli_fails(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    before = counts()
    with pytest.raises(CommandError) as exc:
        call_command(*args, stdout=out, stderr=err)
    assert exc.value.returncode == 2
    assert counts() == before
    return str(exc.value), err.getvalue()


def bad_file(tmp_path):
    rows = [["项目甲", "甲公司", "签约", 7, 100, None, None], ["项目乙", "乙公司", "签到", 7, -5, "2022-02-30", None]]
    return write_ledger(tmp_path / "bad.xlsx", rows, headers=H)


def test_bad_rows_exit_2_with_every_problem_on_stderr(base, tmp_path):
    message, err = cli_fails("import_ledger", bad_file(tmp_path), "--region", "410171")
    lines = err.strip().splitlines()
    assert len(lines) == 3
    assert "4" in lines[0] and "批次" in lines[0] and "签到" in lines[0]
    assert "总投资(万元)" in lines[1] and "-5" in lines[1]
    assert "签约时间" in lines[2] and "2022-02-30" in lines[2]
    assert "3" in message


def test_bad_rows_in_english(base, tmp_path):
    message, err = cli_fails("import_ledger", bad_file(tmp_path), "--region", "410171", "--lang", "en")
    assert err.strip().splitlines() == [
        "Sheet “台账” row 4 批次 (value “签到”): unknown batch (use 签约, 开工 or 投产)",
        "Sheet “台账” row 4 总投资(万元) (value “-5”): cannot be negative",
        "Sheet “台账” row 4 签约时间 (value “2022-02-30”): no such date",
    ]
    assert message == "3 problems found; nothing was imported."


@pytest.mark.parametrize(
    ("make", "english"),
    [
        (lambda p: (p / "l.csv").write_text("项目名称\n甲\n") or p / "l.csv", "not an .xlsx"),
        (lambda p: (p / "l.xlsx").write_bytes(b"hello") or p / "l.xlsx", "not an .xlsx"),
        (lambda p: write_ledger(p / "l.xlsx", [], headers=H), "no projects under it"),
        (lambda p: write_ledger(p / "l.xlsx", [["a"]], headers=["名称"]), "No header row"),
        (lambda p: p / "missing.xlsx", "File not found"),
    ],
)
def test_bad_files_are_one_clear_error(base, tmp_path, make, english):
    path = str(make(tmp_path))
    message, err = cli_fails("import_ledger", path, "--region", "410171", "--lang", "en")
    assert english in message
    cli_fails("import_ledger", path, "--region", "410171")  # the default language fails the same way


def test_unknown_region_and_period(base, tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", [["项目甲", "甲公司", "签约", 7, 100, None, None]], headers=H)
    assert "999999" in cli_fails("import_ledger", path, "--region", "999999")[0]
    assert "42" in cli_fails("import_ledger", path, "--region", "410171", "--period", "42")[0]


def test_import_and_dry_run(base, tmp_path):
    p6 = write_ledger(tmp_path / "p6.xlsx", [["项目甲", "甲公司", "签约", 6, 100, None, None],
                                             ["项目乙", "乙公司", "签约", 6, 200, None, None]], headers=H)  # fmt: skip
    out, _err = cli("import_ledger", p6, "--region", "410171", "--lang", "en")
    assert "Imported 2 rows: 2 new projects" in out
    p7 = write_ledger(tmp_path / "p7.xlsx", [["项目甲", "甲公司", "开工一批", 7, 100, None, None],
                                             ["项目乙", None, "签约", 7, None, None, "调出：停建"],
                                             ["项目丙", "丙公司", "投产", 7, 300, None, None]], headers=H)  # fmt: skip
    before = counts()
    out, _err = cli("import_ledger", p7, "--region", "410171", "--dry-run", "--lang", "en")
    assert counts() == before
    assert "[new] row 5 项目丙" in out
    assert "[converted] row 3 项目甲" in out
    assert "[removed] row 4 项目乙" in out and "停建" in out
    assert "Dry run, nothing written" in out
    assert "1 new projects" in out and "1 converted" in out and "1 removed" in out
    out_zh, _err = cli("import_ledger", p7, "--region", "410171", "--dry-run")  # default language
    assert "项目丙" in out_zh and "项目甲" in out_zh and "项目乙" in out_zh
    assert counts() == before
    cli("import_ledger", p7, "--region", "410171")
    assert Listing.objects.filter(period_id=7, action="removed").count() == 1
    out, _err = cli("import_ledger", p7, "--region", "410171", "--lang", "en")
    assert "0 new projects, 0 updated" in out and "3 rows unchanged" in out


def test_unknown_column_is_a_warning_on_stderr(base, tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", [["项目甲", "甲公司", "签约", 7, 100, "x"]], headers=[*H[:5], "联系电话"])
    _out, err = cli("import_ledger", path, "--region", "410171", "--lang", "en")
    assert "联系电话" in err
    assert Project.objects.count() == 1


def test_regions_and_periods_add(db):
    out, _ = cli("regions", "add", "410000", "河南省")
    assert "410000" in out
    cli("regions", "add", "410100", "郑州市", "--parent", "410000")
    assert Region.objects.get(code="410100").path == "/410000/410100/"
    assert "999" in cli_fails("regions", "add", "410101", "某区", "--parent", "999")[0]
    cli("periods", "add", "7", "--date", "2022-12-25")
    cli("periods", "add", "8", "--date", "2023-03-20", "--name", "第八期（春季）")
    assert list(Period.objects.values_list("number", "name")) == [(7, "第七期"), (8, "第八期（春季）")]
    cli_fails("periods", "add", "9", "--date", "2022-01-01")  # before period 7
    cli_fails("periods", "add", "9", "--date", "2023-02-30")


@pytest.mark.parametrize(
    "args", [("regions", "add", "410000", "河南省"), ("periods", "add", "7", "--date", "2022-12-25")]
)
def test_lang_option_after_the_subcommand(db, args):
    """`tuijin regions add CODE NAME --lang en`: --lang is accepted wherever the other options are."""
    out, _ = cli(*args, "--lang", "en")
    assert out.startswith("Added")


def test_export_command(base, tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", [["项目甲", "甲公司", "签约", 7, 100, None, None]], headers=H)
    cli("import_ledger", path, "--region", "410171")
    out_path = str(tmp_path / "out.xlsx")
    out, _ = cli("export_ledger", out_path, "--as-of", "2022-12-31", "--region", "410171", "--lang", "en")
    assert "Exported 1 projects" in out and Path(out_path).exists()
    cli_fails("export_ledger", out_path, "--as-of", "31/12/2022")
    cli_fails("export_ledger", out_path, "--period", "42")
    cli_fails("export_ledger", out_path, "--region", "999")


def test_stats_command_refuses_bad_options(base):
    cli_fails("stats", "--as-of", "2022-13-01", "--json")
    cli_fails("stats", "--period", "42", "--json")
    cli_fails("stats", "--region", "999", "--json")


def test_real_exit_status_and_stderr(tmp_path):
    """The console entry point itself: exit status 2 and the problems on stderr (a fresh SQLite database)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "TUIJIN_VAR_DIR": str(tmp_path)}

    def tuijin(*args):
        return subprocess.run([sys.executable, "-m", "tuijin", *args], env=env, capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parents[3], timeout=300)  # fmt: skip

    assert tuijin("migrate", "-v", "0").returncode == 0
    assert tuijin("regions", "add", "410171", "郑州经开区").returncode == 0
    assert tuijin("periods", "add", "7", "--date", "2022-12-25").returncode == 0
    done = tuijin("import-ledger", bad_file(tmp_path), "--region", "410171", "--lang", "en")
    assert done.returncode == 2
    assert "row 4 批次 (value “签到”): unknown batch" in done.stderr
    assert "3 problems found; nothing was imported." in done.stderr
    assert done.stdout == ""
    done = tuijin("import-ledger", bad_file(tmp_path), "--region", "410171")
    assert done.returncode == 2 and "签到" in done.stderr
