"""The parser on the forms real reports take, one case each: read exactly where the report
prints enough, uncertain with null cells where it does not, never a plausible guess."""
import random

from corpus.render import Style, render
from corpus.truth import series
from ingestion.parser.parse import parse_file
from ingestion.parser.spec import field_names


def _report(seed: int, year: int = 2023, template: str = "2021", size: int | None = None):
    rng = random.Random(seed)
    return series(rng, [year], sizes={year: size} if size else None, templates={year: template})[0], rng


def _parse_text(tmp_path, text: str, name: str = "r.txt") -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_file(path)


def _wrong(report, result) -> dict:
    return {f: (result["cells"].get(f), v) for f, v in report.cells.items() if result["cells"].get(f) != v}


def test_typo_labels_land_on_their_rows(tmp_path):
    report, rng = _report(1, size=60)
    text = render(report, Style("tabs"), rng)
    slips = {"2.重复申请": "2.重复复申请", "1.属于国家秘密": "1.属于国家秘", "（一）予以公开": "（一）以予公开",
             "4.无正当理由大量反复申请": "4.无正当理由大量反覆申请", "行政规范性文件": "行政规范性文"}
    for right, wrong in slips.items():
        assert right in text
        text = text.replace(right, wrong)
    result = _parse_text(tmp_path, text)
    assert not _wrong(report, result)
    assert result["extraction"]["status"] == "exact"


def test_qualified_pipe_header(tmp_path):
    report, rng = _report(2, size=120)
    text = render(report, Style("pipes", {"qualified_header"}), rng)
    assert "法人或其他组织:商业企业" in text
    result = _parse_text(tmp_path, text)
    assert not _wrong(report, result)
    assert result["extraction"]["status"] == "exact"


def test_year_first_and_other_title_forms(tmp_path):
    for form in ("year_first", "guanyu", "agency_guanyu", "cms", "body_only"):
        report, rng = _report(3)
        result = _parse_text(tmp_path, render(report, Style("cells", title=form), rng), f"{form}.txt")
        assert (result["agency"], result["year"]) == (report.agency, report.year), form
        assert "标题" not in result["agency"]


def test_2019_trial_format_report(tmp_path):
    report, rng = _report(4, year=2019, template="2019", size=40)
    result = _parse_text(tmp_path, render(report, Style("tabs", {"fold_other"}), rng))
    assert result["template"] == "2019"
    assert not _wrong(report, result)
    assert set(result["cells"]) == set(field_names()) | {f for f in report.cells}
    assert all(result["cells"][f] is None for f in field_names() if f.startswith("active."))
    assert result["cells"]["active_2019.procurement.items"] == report.cells["active_2019.procurement.items"]


def test_section_2_header_decides_the_template_over_the_year(tmp_path):
    report, rng = _report(5, year=2020, template="2021")
    result = _parse_text(tmp_path, render(report, Style("tabs"), rng))
    assert result["template"] == "2021" and not _wrong(report, result)
    assert "section 二 headers" in result["extraction"]["template_evidence"]


def test_value_cells_that_are_not_plain_numbers_keep_their_place(tmp_path):
    report, rng = _report(6, size=30)
    text = render(report, Style("pipes"), rng)
    line = next(ln for ln in text.splitlines() if ln.startswith("一、本年新收"))
    cells = line.split(" | ")
    printed = {"natural_person": cells[1].strip()}
    unit = line.replace(f" | {printed['natural_person']} | ", f" | {printed['natural_person']}件 | ", 1)
    result = _parse_text(tmp_path, text.replace(line, unit), "unit.txt")
    assert result["cells"]["applications.new_received.natural_person"] == int(printed["natural_person"])
    assert result["provenance"]["applications.new_received.natural_person"]["note"] == "unit 件 printed"
    rough = line.replace(f" | {printed['natural_person']} | ", f" | 约{printed['natural_person']} | ", 1)
    result = _parse_text(tmp_path, text.replace(line, rough), "rough.txt")
    cells = result["cells"]
    assert cells["applications.new_received.natural_person"] is None
    assert cells["applications.new_received.total"] == report.cells["applications.new_received.total"]  # not moved
    assert cells["applications.new_received.commercial_enterprise"] == report.cells[
        "applications.new_received.commercial_enterprise"]
    assert result["extraction"]["status"] == "uncertain"
    assert "applications.new_received.natural_person" in result["extraction"]["uncertain_cells"]


def test_a_number_with_an_undecodable_character_is_flagged_in_its_place(tmp_path):
    """1�2 (a character the extractor could not decode, U+FFFD) is no number: not 12, not
    moved out of its column, and the rest of the row still read."""
    report, rng = _report(6, size=30)
    text = render(report, Style("pipes"), rng)
    line = next(ln for ln in text.splitlines() if ln.startswith("一、本年新收"))
    first = line.split(" | ")[1].strip()
    lost = line.replace(f" | {first} | ", f" | {first[0]}\ufffd{first[1:]} | ", 1)
    result = _parse_text(tmp_path, text.replace(line, lost), "lost.txt")
    cells = result["cells"]
    assert cells["applications.new_received.natural_person"] is None
    assert cells["applications.new_received.total"] == report.cells["applications.new_received.total"]
    assert result["extraction"]["status"] == "uncertain"


def test_cells_run_together_are_split_by_the_arithmetic(tmp_path):
    """Crawler text: 一、本年新收…申请数量713000074二、上年结转… — the row and column sums
    decide where each cell ends; the decoding is reported."""
    from corpus.writers import crawl_text, to_html

    report, rng = _report(7, size=90)
    text = crawl_text(to_html(report, Style("cells"), rng), random.Random(1)).decode()
    result = _parse_text(tmp_path, text)
    for f, v in report.cells.items():
        if f.startswith(("applications.", "review_litigation.")):
            assert result["cells"][f] == v, f
    assert any("split into" in note for note in result["extraction"]["verified"])
    # section 二 has no sum: a row whose digits split more than one way stays null, uncertain
    for f, v in report.cells.items():
        if f.startswith("active.") and result["cells"][f] is None and v is not None:
            assert f in result["extraction"]["uncertain_cells"]


def test_an_ambiguous_table_comes_out_uncertain_with_null_cells(tmp_path):
    """Only the 总计 column printed, in space-aligned text: one number a row, seven places
    it could stand, and no sum that tells which — the cells stay null, never a guess."""
    report, rng = _report(8, size=50)
    lines = []
    for ln in render(report, Style("tabs"), rng).splitlines():
        cells = ln.split("\t")
        if cells[0].startswith(("一、本年新收", "二、上年结转", "四、结转")) or (len(cells) > 7 and cells[1:2] != [""]
                                                                     and cells[-1].strip().isdigit()):
            label = " ".join(c for c in cells if c and not c.strip().isdigit())
            total = next(c for c in reversed(cells) if c.strip().isdigit())
            lines.append(f"{label}        {total}")
        else:
            lines.append(ln)
    result = _parse_text(tmp_path, "\n".join(lines))
    assert result["extraction"]["status"] == "uncertain"
    assert result["cells"]["applications.new_received.total"] is None
    assert "applications.new_received.total" in result["extraction"]["uncertain_cells"]
    assert not any(v["subject"] == "new_received" for v in result["violations"])  # not the agency's error


def test_two_rows_read_as_one_are_uncertain(tmp_path):
    """A lost ruling line prints 行政许可 and 其他对外管理服务事项 in one row, their numbers
    run together (0 over 0 as 00, 4430 over 12 as 443012): never read as one row's numbers."""
    report, rng = _report(9, year=2019, template="2019")
    text = render(report, Style("tabs", {"fold_other"}), rng)
    lines = text.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("行政许可"))
    a, b = lines[i].split("\t"), lines[i + 1].split("\t")
    lines[i:i + 2] = ["\t".join([a[0] + b[0]] + [x + y for x, y in zip(a[1:4], b[1:4])])]
    result = _parse_text(tmp_path, "\n".join(lines))
    for f in ("active_2019.other_services.decisions", "active_2019.licensing.decisions"):
        assert result["cells"][f] is None and f in result["extraction"]["uncertain_cells"], f


def test_a_number_wrapped_onto_the_next_line_is_never_read_as_a_smaller_one(tmp_path):
    """pdftotext -layout prints a number too wide for its cell over two lines (24 as 2, then
    4 alone below): the row's 2 is a piece, not the agency's total. Found by prose_vs_table:
    a text saying 行政复议24件 against a table read as 2."""
    report, rng = _report(7, size=200)
    report.cells["review_litigation.review.upheld"] += 15
    report.cells["review_litigation.review.total"] += 15
    total = report.cells["review_litigation.review.total"]
    assert total >= 10
    text = render(report, Style("tabs"), rng)
    head, tail = text.split("四、政府信息公开行政复议", 1)
    row = next(line for line in tail.splitlines() if line.startswith(str(report.cells["review_litigation.review.upheld"])))
    cells = row.split("\t")
    cells[4] = str(total)[0]
    wrapped = "\t".join(cells) + "\n" + "\t" * 4 + str(total)[1:]
    result = _parse_text(tmp_path, head + "四、政府信息公开行政复议" + tail.replace(row, wrapped, 1))
    assert result["cells"]["review_litigation.review.total"] is None
    assert "review_litigation.review.total" in result["extraction"]["uncertain_cells"]
    assert not any(v["rule"] == "review_total" for v in result["violations"])  # not the agency's error
    assert any("wrapped cell" in u for u in result["extraction"]["uncertain"])
