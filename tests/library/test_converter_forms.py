"""Reports in the forms the converters people and crawlers use write of them (corpus.convert):
poppler's pdftotext and pdftohtml (plain, -s, -c), PyMuPDF, pdfminer, pdfplumber, pdfium and
LibreOffice (HTML to DOCX and text, text to DOCX), and copies of them cut short. Whatever
the form: no wrong number, no null the parser does not call uncertain, no file holding a
report's words rejected; the forms that keep a table's rows parse exactly."""
import random

import pytest

from corpus.convert import HELD_OUT
from corpus.fixtures import ROOT
from corpus.generate import read_corpus
from corpus.render import Style, render
from corpus.truth import broken_promises, series
from ingestion.parser.document import RejectedDocument
from ingestion.parser.parse import parse_file

# forms that keep each table row together (a grid, or runs placed on one line by position)
ROW_KEEPING = {"pdftohtml-s", "pdftohtml-c", "lo-html-docx", "lo-txt-docx"}
# forms in reading order whose rows' values follow their labels: read where the sums prove
# the grouping, so a report whose own arithmetic is broken is left uncertain there
READING_ORDER = {"pymupdf", "lo-html-txt"}


@pytest.fixture(scope="module")
def forms():
    """The committed converter forms (corpus/fixtures.py): four PDFs (2019 and 2021 formats),
    an HTML page and two text reports, no blank cells, in every converter's form."""
    return ROOT / "forms", read_corpus(ROOT / "forms")


def _parsed(forms, keep):
    out, cases = forms
    for case in cases:
        if keep(case.gold):
            yield case, parse_file(out / "docs" / case.filename)


def _cut_parses(forms):
    """Each copy cut short with its parse: wherever it stops it is that report, read as far
    as it goes. Only a copy whose one naming of its agency was cut off (a title without it,
    the signature gone) may be rejected, and then for that."""
    out, cases = forms
    for case in cases:
        if case.gold["format"] == "cut":
            try:
                yield case, parse_file(out / "docs" / case.filename)
            except RejectedDocument as exc:
                assert str(exc).startswith("agency_unknown"), (case.id, str(exc))


def test_every_form_is_made(forms):
    made = {c.gold["format"] for c in forms[1]}
    assert made >= {"pdftotext", "pymupdf", "pdftohtml", "pdftohtml-s", "pdftohtml-c", "lo-html-docx",
                    "lo-html-txt", "lo-txt-docx", "cut", *HELD_OUT}


def test_no_form_gives_a_wrong_number_or_rejects_a_report(forms):
    for case, result in _parsed(forms, lambda g: g["format"] != "cut"):
        assert not broken_promises(case.gold["cells"], result), (case.id, broken_promises(case.gold["cells"], result)[:3])
        assert (result["agency"], result["year"]) == (case.gold["agency"], case.gold["year"]), case.id


def test_forms_that_keep_a_tables_rows_parse_exactly(forms):
    keep = lambda g: g["format"] in ROW_KEEPING or g["format"] in READING_ORDER and not g["expected_violations"]  # noqa: E731
    for case, result in _parsed(forms, keep):
        assert result["cells"] == {**result["cells"], **case.gold["cells"]}, (case.id, result["extraction"]["uncertain"][:2])
        assert result["extraction"]["status"] in ("exact", "verified"), case.id


def test_copies_cut_short_give_no_wrong_number(forms):
    cut_inside = 0
    for case, result in _cut_parses(forms):
        assert not broken_promises(case.gold["cells"], result), (case.id, broken_promises(case.gold["cells"], result)[:3])
        assert (result["agency"], result["year"]) == (case.gold["agency"], case.gold["year"]), case.id
        truncated = any(u.startswith("truncated") for u in result["extraction"]["uncertain"])
        cut_inside += truncated
        if truncated:
            assert result["extraction"]["status"] == "uncertain"
    assert cut_inside


def test_every_truncation_of_a_report_gives_no_wrong_number(tmp_path):
    """Cut at the end of each line, and in the middle of each line holding a number."""
    report = series(random.Random(8), [2023], sizes={2023: 120}, templates={2023: "2021"})[0]
    text = render(report, Style("pipes"), random.Random(8))
    lines = text.split("\n")
    path = tmp_path / "cut.txt"
    read_whole = 0
    for i in range(len(lines)):
        for cut in {"\n".join(lines[:i + 1]), "\n".join(lines[:i]) + "\n" + lines[i][:len(lines[i]) // 2]}:
            path.write_text(cut, encoding="utf-8")
            try:
                result = parse_file(path)
            except RejectedDocument as exc:  # cut inside the title: not yet a report's words
                assert i <= 1 and str(exc).startswith("not a government"), (i, str(exc))
                continue
            assert not broken_promises(report.cells, result), (i, broken_promises(report.cells, result)[:3])
            read_whole += result["extraction"]["status"] != "uncertain"
            if "存在的主要问题" not in cut:  # stopped before the sections after the tables
                assert result["extraction"]["status"] == "uncertain", i
    assert read_whole  # cut after the tables, the report still reads


def test_a_page_and_a_word_file_of_paragraphs_parse(tmp_path):
    """No table at all: a page whose tables are paragraphs, a Word file of paragraphs (a
    text report opened and saved by a word processor): read as the text they hold."""
    import docx

    report = series(random.Random(9), [2024], sizes={2024: 40}, templates={2024: "2021"})[0]
    lines = render(report, Style("tabs"), random.Random(9)).split("\n")
    page = tmp_path / "p.html"
    page.write_text("<html><head><meta charset='utf-8'></head><body>"
                    + "".join(f"<p>{line.replace(chr(9), '&#9;')}</p>" for line in lines) + "</body></html>",
                    encoding="utf-8")
    word = docx.Document()
    for line in lines:
        word.add_paragraph(line)
    word.save(tmp_path / "p.docx")
    for name in ("p.html", "p.docx"):
        result = parse_file(tmp_path / name)
        assert result["cells"] == {**result["cells"], **report.cells}, name
        assert any("text" in w for w in result["warnings"]), name


def test_a_pipe_table_with_its_total_column_left_blank_is_exact(tmp_path):
    """Every cell delimited, the 总计 column printed blank (a real 2019-format report): a
    blank is plainly a blank, and the rows' own totals are the report's to answer for."""
    rng = random.Random(3)
    report = series(rng, [2019], sizes={2019: 60}, templates={2019: "2019"})[0]
    for f in report.cells:
        if f.startswith("applications.") and f.endswith(".total"):
            report.cells[f] = None
    text = render(report, Style("pipes", quirks={"fold_other"}), rng)
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    result = parse_file(path)
    assert result["extraction"]["status"] == "exact"
    assert result["cells"] == {**result["cells"], **report.cells}
    assert {v["rule"] for v in result["violations"]} >= {"row_total"}


def test_a_review_row_of_four_blanks_then_its_total(tmp_path):
    """|||| 0: a pipe at one end only opens a blank cell (border pipes come in pairs), so
    the row is four blanks and a total, as printed; never 0 in the blank cells."""
    rng = random.Random(4)
    report = series(rng, [2023], sizes={2023: 30}, templates={2023: "2021"})[0]
    lines = render(report, Style("pipes"), rng).split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("四、政府信息公开行政复议"))
    j = next(k for k in range(i + 1, len(lines)) if lines[k] and lines[k][0].isdigit())
    groups = ("review", "litigation_direct", "litigation_after_review")
    for g in groups:
        for c in ("upheld", "corrected", "other", "pending"):
            report.cells[f"review_litigation.{g}.{c}"] = None
        report.cells[f"review_litigation.{g}.total"] = 0
    lines[j:j + 1] = [f"{name}\n|||| 0" for name in ("行政复议", "未经复议直接起诉", "复议后起诉")]
    path = tmp_path / "r.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = parse_file(path)
    assert not broken_promises(report.cells, result)
    for g in groups:
        assert result["cells"][f"review_litigation.{g}.total"] == 0
        assert result["cells"][f"review_litigation.{g}.upheld"] is None
