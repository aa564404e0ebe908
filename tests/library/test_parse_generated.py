"""Generated reports in every form real ones take — text shapes, DOCX, DOC, HTML, PDFs made
by LibreOffice, `pdftotext -layout` of such PDFs, crawler-flattened HTML; the 2021 and 2019
formats; every title form and quirk — with exact truth. The parser never prints a wrong
number: every cell is the truth or null, a null it could have read is marked uncertain, and
a document it calls exact or verified is exact."""
from collections import Counter

import pytest

from ingestion.parser.document import RejectedDocument
from ingestion.parser.parse import parse_file
from ingestion.parser.readers.doc import soffice

# forms where a report can print less than it means: the crawler runs section 二's cells
# together with no sum to split them by; pdftotext drops blank cells
LOSSY = {"crawler", "layout"}


@pytest.fixture(scope="module")
def parsed(generated):
    """Every good document parsed; a legacy DOC only where LibreOffice is installed (the DOC
    reader converts with it: the library tests run without it, the pipeline tests need it)."""
    out, cases = generated
    good = [c for c in cases if not c.gold.get("expect_error") and (soffice() or c.gold["format"] != "doc")]
    return [(c, parse_file(out / "docs" / c.filename)) for c in good]


def _wrong(case, result) -> dict:
    return {f: (result["cells"].get(f), v) for f, v in case.gold["cells"].items() if result["cells"].get(f) != v}


def test_no_wrong_number_and_every_agency_and_year(parsed):
    assert len(parsed) >= (70 if soffice() else 60)  # the DOCs need LibreOffice
    for case, result in parsed:
        wrong = {f: pv for f, pv in _wrong(case, result).items() if pv[0] is not None}
        assert not wrong, (case.id, case.gold["notes"], wrong)
        assert (result["agency"], result["year"]) == (case.gold["agency"], case.gold["year"]), case.id
        assert result["template"] == case.gold["template"], case.id


def test_a_cell_left_null_is_marked_uncertain_and_exact_means_exact(parsed):
    for case, result in parsed:
        missed = set(_wrong(case, result))
        extraction = result["extraction"]
        assert missed <= set(extraction["uncertain_cells"]), (case.id, sorted(missed)[:3])
        if extraction["status"] != "uncertain":
            assert not missed and not extraction["uncertain_cells"], case.id
        else:
            assert extraction["uncertain"], case.id  # uncertain says why


def test_reports_that_print_every_cell_parse_exactly(parsed):
    by_format = Counter()
    exact = Counter()
    for case, result in parsed:
        fmt = case.gold["format"]
        by_format[fmt] += 1
        exact[fmt] += not _wrong(case, result)
        if fmt not in LOSSY:
            assert not _wrong(case, result), (case.id, case.gold["notes"], list(_wrong(case, result).items())[:3])
            got = sorted({v["rule"] for v in result["violations"]})
            assert got == case.gold["expected_violations"], (case.id, got)
    assert set(by_format) == {"txt", "docx", "html", "pdf", "layout", "crawler"} | ({"doc"} if soffice() else set())
    assert exact["layout"] >= 0.6 * by_format["layout"], (exact, by_format)


def test_corpus_covers_every_shape_quirk_title_and_template(generated):
    from corpus.render import QUIRKS, SHAPES, TITLE_FORMS

    _, cases = generated
    golds = [c.gold for c in cases if not c.gold.get("expect_error")]
    notes = [g["notes"] for g in golds]
    shapes = Counter(n.split("shape=")[1].split(";")[0] for n in notes)
    assert set(shapes) == set(SHAPES)
    seen = {q for n in notes for q in n.split("quirks=")[1].split(",")}
    assert set(QUIRKS) <= seen
    titles = {n.split("title=")[1].split(";")[0] for n in notes}
    assert set(TITLE_FORMS) - {"split"} <= titles
    assert {g["template"] for g in golds} == {"2019", "2021"}
    assert any(g.get("injected") for g in golds)


def test_bad_inputs_are_rejected_with_a_reason(generated):
    out, cases = generated
    bad = [c for c in cases if c.gold.get("expect_error")]
    assert len(bad) == 12
    reasons = {}
    for case in bad:
        with pytest.raises(RejectedDocument) as exc:
            parse_file(out / "docs" / case.filename)
        assert str(exc.value) and "\n" not in str(exc.value)
        reasons[case.gold["why"]] = str(exc.value)
    assert reasons["encrypted PDF"].startswith("encrypted PDF")
    assert reasons["image-only scan"].startswith("image-only PDF")
    assert reasons["zip bomb"].startswith("zip bomb")
    assert reasons["empty file"] == "empty file"


def test_enormous_file_is_refused_unread(tmp_path):
    from ingestion.parser.readers import MAX_BYTES

    big = tmp_path / "huge.pdf"
    with big.open("wb") as fh:  # sparse: no real disk used
        fh.truncate(MAX_BYTES + 1)
    with pytest.raises(RejectedDocument, match="file too large"):
        parse_file(big)


def test_pdf_cells_carry_their_page(generated):
    out, cases = generated
    case = next(c for c in cases if c.filename.endswith(".pdf") and not c.gold.get("expect_error"))
    result = parse_file(out / "docs" / case.filename)
    pages = {p["page"] for p in result["provenance"].values()}
    assert pages and all(isinstance(p, int) and p >= 1 for p in pages)
    assert result["source"]["pages"] >= max(pages)


def test_pdftotext_layout_reports_parse_exactly(parsed):
    """`pdftotext -layout` of a rendered PDF: space-aligned columns, labels wrapped over
    lines, 三、本年度办理结果 letter by letter down the margin. Exact unless the report
    printed only its 总计 column (then the blank cells cannot be placed: uncertain)."""
    layout = [(c, r) for c, r in parsed if c.gold["format"] == "layout"]
    assert layout
    for case, result in layout:
        if "blank_applicants" not in case.gold["notes"]:
            assert not _wrong(case, result), (case.id, case.gold["notes"], list(_wrong(case, result).items())[:3])
