"""The briefing as a .docx (read back with python-docx) and as a PDF (read back with pdftotext), and the CLI
contract `tuijin briefing --template NAME --as-of DATE --out FILE.docx|FILE.pdf`."""

from __future__ import annotations

import io
import shutil
import subprocess

import docx
import pytest
from django.core.management import CommandError, call_command
from docx.oxml.ns import qn

from tuijin.briefing import services
from tuijin.briefing.models import Briefing, BriefingTemplate
from tuijin.briefing.shipped import ensure_shipped
from tuijin.core.models import ChangeRecord

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture
def briefing(bz):
    ensure_shipped()
    return services.briefing_generate(
        user=bz["users"]["admin"],
        template=BriefingTemplate.objects.get(name="monthly"),
        region=bz["regions"]["jingkai"],
        as_of=AS_OF,
    )


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "b.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_docx_layout_tables_with_totals_and_chinese_fonts(briefing):
    from tuijin.briefing.documents import briefing_docx, paper_of

    doc = docx.Document(io.BytesIO(briefing_docx(paper_of(briefing))))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "郑州经开区重点项目建设工作简报"
    assert texts[1] == "〔2022〕第1期"
    assert texts[2] == "经开区重点项目办\t2022年11月30日"
    assert "2022年11月份全区重点项目建设进展情况" in texts
    assert "一、“三个一批”项目总体情况" in texts
    assert texts[-1].endswith("2022年11月30日印发")
    # every run, in paragraphs and table cells, names its East Asian font and zh-CN
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs
    for run in runs:
        fonts = run._r.rPr.find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")), run.text
        assert run._r.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    heading = next(p for p in doc.paragraphs if p.text == "一、“三个一批”项目总体情况")
    assert heading.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    title = doc.paragraphs[0].runs[0]._r.rPr.find(qn("w:rFonts"))
    assert title.get(qn("w:eastAsia")) == "方正小标宋简体"
    # the tables, each with its totals row equal to the stored figures
    tables = {t.rows[0].cells[0].text: t for t in doc.tables}
    assert set(tables) >= {"批次", "责任单位"}
    for t in doc.tables:
        assert t.rows[-1].cells[0].text == "合计"
    campaign = tables["批次"]
    assert [c.text for c in campaign.rows[-1].cells] == briefing.data["tables"]["campaign_batches"]["total"]
    assert [c.text for c in tables["责任单位"].rows[-1].cells] == briefing.data["tables"]["investment_by_unit"]["total"]
    # tables fit the text block (156 mm)
    for t in doc.tables:
        assert sum(c.width for c in t.columns) <= docx.shared.Mm(156.5)
    # the chart is an image
    assert len(doc.inline_shapes) == 1


def test_pdf_has_the_text_and_the_tables(briefing, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    from tuijin.briefing.documents import briefing_pdf, paper_of

    data = briefing_pdf(paper_of(briefing))
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    assert "郑州经开区重点项目建设工作简报" in text
    assert "〔2022〕第1期" in text
    assert "“三个一批”项目推进情况表" in text
    total = briefing.data["tables"]["campaign_batches"]["total"]
    assert " ".join(total[1:3]) in " ".join(text.split())  # the totals row's figures, in order


def test_cli_writes_docx_and_pdf(bz, tmp_path, capsys):
    out = tmp_path / "简报.docx"
    call_command("briefing", "--template", "monthly", "--as-of", "2022-11-30", "--region", "410171", "--out", str(out))
    doc = docx.Document(str(out))
    assert doc.paragraphs[0].text == "郑州经开区重点项目建设工作简报"
    assert Briefing.objects.count() == 0  # writing a file saves no briefing
    pdf = tmp_path / "b.pdf"
    call_command("briefing", "--template", "weekly", "--as-of", "2022-11-30", "--region", "410171", "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        assert "郑州经开区重点项目建设周报" in pdf_text(pdf.read_bytes(), tmp_path)


def test_cli_default_region_is_the_offices(bz, tmp_path):
    out = tmp_path / "b.docx"
    call_command("briefing", "--template", "monthly", "--as-of", "2022-11-30", "--out", str(out))
    assert docx.Document(str(out)).paragraphs[0].text == "郑州经开区重点项目建设工作简报"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--template", "nope", "--as-of", "2022-11-30"], "nope"),
        (["--template", "monthly", "--as-of", "2022-11-31"], "2022-11-31"),
        (["--template", "monthly", "--as-of", "30/11/2022"], "30/11/2022"),
        (["--template", "monthly"], "--as-of"),
        (["--as-of", "2022-11-30"], "--template"),
        (["--template", "monthly", "--as-of", "2022-11-30", "--region", "999999"], "999999"),
    ],
)
def test_cli_refuses_bad_input_with_a_clear_error_and_writes_nothing(bz, tmp_path, args, message):
    out = tmp_path / "b.docx"
    before = ChangeRecord.objects.count()
    with pytest.raises(CommandError) as err:
        call_command("briefing", *args, "--out", str(out))
    assert err.value.returncode != 0
    assert message in str(err.value)
    assert not out.exists()
    assert ChangeRecord.objects.count() == before


def test_cli_refuses_an_unknown_extension(bz, tmp_path):
    with pytest.raises(CommandError):
        call_command("briefing", "--template", "monthly", "--as-of", "2022-11-30", "--out", str(tmp_path / "b.txt"))


def test_cli_exit_status_through_the_console_script(bz, tmp_path):
    """The real command line: non-zero status and the error on stderr."""
    from tuijin.__main__ import main

    with pytest.raises(SystemExit) as exit_:
        main(["tuijin", "briefing", "--template", "nope", "--as-of", "2022-11-30", "--out", str(tmp_path / "x.docx")])
    assert exit_.value.code != 0


def test_cli_publish_keeps_the_files(bz, tmp_path):
    out = tmp_path / "b.pdf"
    call_command(
        "briefing",
        "--template",
        "monthly",
        "--as-of",
        "2022-11-30",
        "--region",
        "410171",
        "--out",
        str(out),
        "--publish",
    )
    b = Briefing.objects.get()
    assert (b.state, b.number, b.kind) == ("published", 1, "monthly")
    assert b.docx.name.endswith(".docx") and b.pdf.name.endswith(".pdf")
    assert b.pdf.open("rb").read().startswith(b"%PDF")
