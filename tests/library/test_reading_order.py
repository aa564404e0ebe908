"""Text in reading order, where nothing but order puts a value with its label: what
pdftotext without -layout, PyMuPDF, pdfminer and LibreOffice's text of a page write. The
parser reads it where the sums prove the grouping, and otherwise leaves the cells null and
says why; it never reads a wrong number from it, and never calls a guess verified."""
import random
import subprocess

import pytest

from corpus.generate import _style, apply_quirks
from corpus.reading_order import KINDS, reading_order_text
from corpus.render import Style
from corpus.truth import broken_promises, series
from ingestion.parser.parse import parse_file

REAL = "tests/fixtures/real"


def _report(seed: int, year: int = 2023, size: int = 60):
    return series(random.Random(seed), [year], sizes={year: size}, templates={year: "2021"})[0]


def _parse_text(tmp_path, text: str, name: str = "r.txt") -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_file(path)


def test_clean_reading_order_is_read_and_verified_by_its_sums(tmp_path):
    report = _report(1)
    result = _parse_text(tmp_path, reading_order_text(report, Style("cells"), random.Random(1), kinds=set()))
    assert not broken_promises(report.cells, result)
    assert result["cells"] == {**result["cells"], **report.cells}
    assert result["extraction"]["status"] == "verified"  # order is an inference: the sums confirm it
    assert any("reading order" in v for v in result["extraction"]["verified"])


def _disturbed(tmp_path, rng, n, draw_kinds):
    """`n` random reports in reading order disturbed by `draw_kinds()`, each parsed and held
    to the promise: every cell read right or left null and uncertain."""
    out = []
    for i in range(n):
        year = rng.randint(2021, 2025)
        report = series(rng, [year], templates={year: "2021"})[0]
        style = _style(rng, "docx", report)
        apply_quirks(report, style, rng)
        kinds = draw_kinds()
        result = _parse_text(tmp_path, reading_order_text(report, style, rng, kinds), f"r{i}.txt")
        assert not broken_promises(report.cells, result), (i, sorted(kinds), broken_promises(report.cells, result)[:3])
        out.append((report, result))
    return out


def test_every_disturbed_reading_order_is_read_right_or_left_uncertain(tmp_path):
    rng = random.Random(20)
    results = _disturbed(tmp_path, rng, 120, lambda: {k for k in KINDS if rng.random() < 0.35})
    exact = sum(result["extraction"]["status"] != "uncertain" for _, result in results)
    assert exact >= 10  # the undisturbed and mildly disturbed ones are read


def test_values_in_runs_join_their_row_or_stay_uncertain(tmp_path):
    """pdfium's kind of text: a row's values in runs of several to a line, the first run
    beside its label (（一）予以公开 131 17 / 6 / 0 / 5 11 170), section 四's fifteen in runs
    under its header. The runs that make up a row's width are that row, as the sums confirm;
    a short run is never read as a row that printed blanks, nor a run under the header as
    one group's cells."""
    results = _disturbed(tmp_path, random.Random(5), 40, lambda: {"runs"})
    assert sum(result["cells"] == report.cells for report, result in results) >= 4


def _swap_labels_before_values(text: str, first: str, second: str) -> str:
    """`first`, its value, `second`, its value → `first`, `second`, both values (a reading
    order that puts the labels of single-value rows before their values)."""
    lines = text.split("\n")
    i = lines.index(first)
    assert lines[i + 2] == second
    lines[i:i + 4] = [first, second, lines[i + 1], lines[i + 3]]
    return "\n".join(lines)


def test_single_value_rows_whose_labels_come_before_their_values_are_uncertain(tmp_path):
    report = _report(2)
    text = reading_order_text(report, Style("cells"), random.Random(2), kinds=set())
    result = _parse_text(tmp_path, _swap_labels_before_values(text, "行政处罚", "行政强制"))
    assert not broken_promises(report.cells, result)
    for f in ("active.punishment.decisions", "active.enforcement.decisions"):
        assert result["cells"][f] is None and f in result["extraction"]["uncertain_cells"]


def test_section_2_in_reading_order_needs_an_order_the_sums_proved(tmp_path):
    """A single value after a label is that label's only where the document's rows with
    sums, read the same way, were all confirmed: break one of them and section 二 is doubt."""
    report = _report(3)
    text = reading_order_text(report, Style("cells"), random.Random(3), kinds=set())
    result = _parse_text(tmp_path, text)
    assert result["cells"]["active.licensing.decisions"] == report.cells["active.licensing.decisions"]
    assert any("二" in v and "prove" in v for v in result["extraction"]["verified"])
    lines = text.split("\n")
    i = lines.index("（一）予以公开")
    lines[i + 1], lines[i + 2] = lines[i + 2], lines[i + 1]  # two values of one row swapped: its sums break
    if lines[i + 1] == lines[i + 2]:
        pytest.skip("the swapped values are equal")
    result = _parse_text(tmp_path, "\n".join(lines))
    assert not broken_promises(report.cells, result)
    assert "active.licensing.decisions" in result["extraction"]["uncertain_cells"]


@pytest.fixture(scope="module")
def hongze_2024():
    pdf = parse_file(f"{REAL}/hongze_2024.pdf")
    assert pdf["extraction"]["status"] == "exact"
    return pdf


@pytest.mark.parametrize("tool", [["pdftotext"], ["pdftotext", "-raw"]])
def test_a_real_report_through_pdftotext_gives_no_wrong_number(tmp_path, hongze_2024, tool):
    """pdftotext without -layout put 行政许可 after the 8 of the row above it, and the
    parser once read 8 for it; the label block of table 三 came apart from its values."""
    text = subprocess.run([*tool, "-enc", "UTF-8", f"{REAL}/hongze_2024.pdf", "-"], capture_output=True,
                          check=True).stdout.decode()
    result = _parse_text(tmp_path, text)
    assert result["cells"]["active.licensing.decisions"] in (None, 9487)
    assert not broken_promises(hongze_2024["cells"], result)
