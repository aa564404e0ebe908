"""Tables that a reader gets wrong in ways no sum would notice on its own: the parser must
read them right where the report says enough, and otherwise leave the cells null and say
why. Each case is a generated report whose printed text is damaged the way real exports
damage it (found by a hostile test pass); the promise checked is the same every time:
no number that differs from the truth, and no null the parser does not call uncertain."""
import random

from corpus.generate import apply_quirks
from corpus.render import Style, render
from corpus.truth import broken_promises, series
from ingestion.parser.parse import parse_file


def _report(seed: int, size: int = 50):
    return series(random.Random(seed), [2023], sizes={2023: size}, templates={2023: "2021"})[0]


def _lines(report, shape: str = "tabs", seed: int = 0, quirks=()) -> list[str]:
    return render(report, Style(shape, quirks=set(quirks), seed=seed), random.Random(seed)).split("\n")


def _parse(tmp_path, lines: list[str]) -> dict:
    path = tmp_path / "r.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return parse_file(path)


def _broken_promises(report, result, truth: dict | None = None) -> list[str]:
    return broken_promises({**report.cells, **(truth or {})}, result)


def _index(lines: list[str], start: str) -> int:
    return next(i for i, line in enumerate(lines) if start in line)


def test_a_remark_after_the_numbers_is_set_aside(tmp_path):
    report = _report(0)
    lines = _lines(report)
    i = _index(lines, "2.重复申请")
    lines[i] = lines[i].rstrip("\t") + "\t含合并办理2件"
    result = _parse(tmp_path, lines)
    assert not _broken_promises(report, result)
    assert result["cells"]["applications.rejected_duplicate.total"] == report.cells["applications.rejected_duplicate.total"]
    assert any("remark" in w for w in result["warnings"])


def test_rows_printed_in_each_others_place_are_not_read_by_place(tmp_path):
    for seed, first, second in [(8, "一、本年新收", "二、上年结转"), (9, "1.信访举报投诉类申请", "2.重复申请")]:
        report = _report(seed)
        lines = _lines(report, seed=seed)
        i, j = _index(lines, first), _index(lines, second)
        lines[i], lines[j] = lines[j], lines[i]
        result = _parse(tmp_path, lines)
        assert not _broken_promises(report, result), seed
        assert result["extraction"]["status"] == "uncertain"


def test_columns_in_the_headers_order(tmp_path):
    report = _report(1)
    lines = _lines(report, "pipes", seed=1, quirks={"qualified_header"})
    start, end = _index(lines, "法人或其他组织:商业企业"), _index(lines, "四、政府信息公开行政")
    for k in range(start, end):
        if lines[k].count("|") >= 8:  # 法律服务机构 and 其他 swapped, header and data alike
            cells = lines[k].split(" | ")
            cells[-3], cells[-2] = cells[-2], cells[-3]
            lines[k] = " | ".join(cells)
    result = _parse(tmp_path, lines)
    assert not _broken_promises(report, result)
    assert result["cells"]["applications.new_received.other_org"] == report.cells["applications.new_received.other_org"]
    assert any("another order" in w for w in result["warnings"])


def test_a_row_printed_twice_is_decided_by_the_sums(tmp_path):
    report = _report(7)
    lines = _lines(report, seed=7)
    i = _index(lines, "1.本机关不掌握相关政府信息")
    cells = lines[i].split("\t")
    numbers = [k for k, c in enumerate(cells) if c.strip().isdigit()]
    for k in (numbers[0], numbers[-1]):  # a self-consistent copy with other numbers, printed first
        cells[k] = str(int(cells[k]) + 1)
    lines.insert(i, "\t".join(cells))
    result = _parse(tmp_path, lines)
    assert not _broken_promises(report, result)
    assert result["cells"]["applications.unavailable_not_held.total"] == report.cells["applications.unavailable_not_held.total"]
    assert any("printed more than once" in v for v in result["extraction"]["verified"])


def test_a_comparison_table_before_the_real_one_leaves_the_cells_uncertain(tmp_path):
    report, last_year = _report(3), _report(1003)
    lines = _lines(report, seed=3)
    other = _lines(last_year, seed=3)
    start, end = _index(other, "三、收到和处理"), _index(other, "四、政府信息公开行政")
    at = _index(lines, "三、收到和处理")
    lines[at + 1:at + 1] = ["（2022年同期对比）", *other[start + 1:end]]
    result = _parse(tmp_path, lines)
    assert not _broken_promises(report, result)
    assert result["extraction"]["status"] == "uncertain"


def test_a_spacer_cell_and_a_lost_blank_do_not_shift_the_row(tmp_path):
    report = _report(4)
    lines = _lines(report, seed=4)
    i = _index(lines, "一、本年新收")
    cells = lines[i].rstrip("\t").split("\t")  # label, spacer, 6 applicants, total
    assert cells[-2] == "0"
    lines[i] = "\t".join(cells[:-2] + [cells[-1]])  # the 其他 cell left blank, and the blank lost
    result = _parse(tmp_path, lines)
    assert not _broken_promises(report, result, {"applications.new_received.other_org": None})


def test_a_lost_blank_before_a_trailing_separator(tmp_path):
    report = _report(4)
    lines = _lines(report, seed=4)
    i = _index(lines, "（一）予以公开")
    cells = lines[i].rstrip("\t").split("\t")
    lines[i] = "\t".join(cells[:-2] + [cells[-1]]) + "\t"
    result = _parse(tmp_path, lines)
    assert not _broken_promises(report, result, {"applications.granted.other_org": None})
    assert result["cells"]["applications.granted.total"] == report.cells["applications.granted.total"]


def test_a_row_no_reading_fits_is_uncertain_in_every_cell(tmp_path):
    report = _report(0, size=400)
    lines = _lines(report)
    i = _index(lines, "四、结转下年度继续办理")
    cells = lines[i].rstrip("\t").split("\t")
    lines[i:i + 1] = ["\t".join(cells[:6]), "\t".join(cells[6:])]  # its last numbers on a line of their own
    result = _parse(tmp_path, lines)
    assert not _broken_promises(report, result)
    assert "applications.carried_forward.total" in result["extraction"]["uncertain_cells"]


def test_a_2020_report_whose_format_no_header_decides_has_section_2_uncertain(tmp_path):
    report = series(random.Random(0), [2020], sizes={2020: 50}, templates={2020: "2021"})[0]
    lines = [line for line in _lines(report) if not line.startswith("信息内容")]  # section 二 headers lost
    result = _parse(tmp_path, lines)
    assert not _broken_promises(report, result)
    doubt = set(result["extraction"]["uncertain_cells"])
    assert {f for f in report.cells if f.startswith("active.")} <= doubt
    assert any("2020 reports used" in u for u in result["extraction"]["uncertain"])


def test_a_misspelt_name_in_a_flattened_header_keeps_its_place(tmp_path):
    report = next(r for r in (_report(s) for s in range(40))
                  if len({r.cells[f"active.regulations.{c}"] for c in ("issued", "repealed", "in_force")}) == 3)
    lines = _lines(report)
    i = _index(lines, "本年制发件数")
    lines[i] = "信息内容本年制件发数本年废止件数现行有效件数"  # one cell, its first name misspelt
    result = _parse(tmp_path, lines)
    assert not _broken_promises(report, result)
    assert result["cells"]["active.regulations.issued"] == report.cells["active.regulations.issued"]


def test_a_row_as_wide_as_its_siblings_lost_no_blank(tmp_path):
    """Only the 总计 column printed, every blank cell kept, and the report's own sums broken:
    the printed cells say where the numbers stand; no reading of a lost blank is invented."""
    report = _report(3)
    lines = _lines(report, seed=3)
    first, last = _index(lines, "一、本年新收"), _index(lines, "四、结转下年度继续办理")
    for i in range(first, last + 1):
        cells = lines[i].rstrip("\t").split("\t")
        lines[i] = "\t".join(cells[:-7] + [""] * 6 + cells[-1:])  # applicants blank, no trailing separator
    total = report.cells["applications.carried_forward.total"]
    lines[last] = lines[last].rsplit("\t", 1)[0] + f"\t{total + 7}"  # 一+二 ≠ （七）+四
    result = _parse(tmp_path, lines)
    assert result["extraction"]["status"] != "uncertain", result["extraction"]["uncertain"][:3]
    assert result["cells"]["applications.carried_forward.total"] == total + 7
    assert result["cells"]["applications.granted.total"] == report.cells["applications.granted.total"]
    assert result["cells"]["applications.granted.natural_person"] is None
    assert any(v["rule"] == "balance" for v in result["violations"])


def test_totals_only_pipe_rows_with_trailing_separators_are_read_by_their_printed_blanks(tmp_path):
    """A crawler's pipe rows print every blank cell padded (|  |) and add bare separators
    at the end (||, |||, a number per row): the blanks place the 总计, the separators are
    no cells. Read as cells, they would let the total stand in any column, and only
    totals print, so no sum could tell."""
    report = _report(11, size=8)
    style = Style("pipes", quirks={"blank_applicants", "blank_outcomes"}, seed=11)
    apply_quirks(report, style, random.Random(11))
    lines = render(report, style, random.Random(11)).split("\n")
    row = lines[_index(lines, "一、本年新收")]
    assert row.rstrip("|").endswith(" ") and "|  |" in row  # the shape this test is about
    result = _parse(tmp_path, lines)
    assert not _broken_promises(report, result)
    assert result["extraction"]["status"] != "uncertain", result["extraction"]["uncertain"][:3]
