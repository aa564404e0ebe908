"""Generated reports (every text shape and quirk, with exact truth) parse exactly."""
from collections import Counter

import pytest

from ingestion.document import RejectedDocument
from ingestion.parse import parse_file


def test_generated_reports_parse_exactly(generated):
    out, cases = generated
    good = [c for c in cases if not c.gold.get("expect_error")]
    assert len(good) >= 100
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
    assert len(bad) == 5
    for case in bad:
        with pytest.raises(RejectedDocument) as exc:
            parse_file(out / "docs" / case.filename)
        assert str(exc.value) and "\n" not in str(exc.value)
