"""Generated reports in every format (text shapes, DOCX, DOC, HTML, PDFs made by LibreOffice),
with every quirk and exact truth, parse exactly; bad inputs are rejected with a reason."""
from collections import Counter

import pytest

from ingestion.parser.document import RejectedDocument
from ingestion.parser.parse import parse_file


def test_generated_reports_parse_exactly(generated):
    out, cases = generated
    good = [c for c in cases if not c.gold.get("expect_error")]
    assert len(good) >= 70
    assert {c.gold["format"] for c in good} == {"txt", "docx", "doc", "html", "pdf"}
    failures = []
    for case in good:
        result = parse_file(out / "docs" / case.filename)
        wrong = {f: (result["cells"][f], v) for f, v in case.gold["cells"].items() if result["cells"][f] != v}
        if wrong or result["agency"] != case.gold["agency"] or result["year"] != case.gold["year"]:
            failures.append((case.id, case.gold["notes"], result["agency"], dict(list(wrong.items())[:3])))
        got = sorted({v["rule"] for v in result["violations"]})
        if got != case.gold["expected_violations"]:
            failures.append((case.id, "violations", got, case.gold["expected_violations"]))
    assert not failures, failures[:5]


def test_corpus_covers_every_shape_and_quirk(generated):
    from corpus.render import QUIRKS, SHAPES

    _, cases = generated
    notes = [c.gold["notes"] for c in cases if not c.gold.get("expect_error")]
    shapes = Counter(n.split("shape=")[1].split(";")[0] for n in notes)
    assert set(shapes) == set(SHAPES)
    seen = {q for n in notes for q in n.split("quirks=")[1].split(",")}
    assert set(QUIRKS) <= seen
    assert any(c.gold.get("injected") for c in cases if not c.gold.get("expect_error"))


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
