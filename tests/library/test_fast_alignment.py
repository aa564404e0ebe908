"""The alignment's fast path (`align._exact`) must be the DP's answer wherever it answers: on
every template variant it claims, the same lines paired in the same order with the same
rows, and for the document the same alignment as the DP over all variants. Held on the
speed-bench PDFs (labels typed at random in half of them), the real reports and the sample
texts, and on reading-order texts, where the DP must still decide."""
from __future__ import annotations

import random
from pathlib import Path

from corpus.generate import _style, apply_quirks
from corpus.reading_order import KINDS, reading_order_text
from corpus.truth import series
from ingestion.parser.align import _exact, _prepared, align, best_alignment, doc_lines, dp_alignment
from ingestion.parser.document import RejectedDocument
from ingestion.parser.meta import agency_and_year
from ingestion.parser.parse import choose_template
from ingestion.parser.readers import read_document

ROOT = Path(__file__).parents[2]
FILES = sorted([*(ROOT / "tests" / "fixtures" / "speed_pdfs").glob("*.pdf"),
                *(ROOT / "tests" / "fixtures" / "real").glob("*.pdf"), *(ROOT / "samples" / "raw").glob("*")])


def _signature(a) -> tuple:
    return ([(ln.index, t.key, s) for ln, t, s in a.pairs], [ln.index for ln in a.unmatched],
            [t.key for t in a.sequence])


def _held(path: Path) -> tuple[int, int]:
    """(variants the fast path answered for, documents it decided): each answer checked
    against the DP."""
    try:
        doc, _ = read_document(path)
    except RejectedDocument:
        return 0, 0  # (the sample's empty upload)
    template, _, _ = choose_template(doc, agency_and_year(doc, [])[1])
    lines, table, position, candidates = _prepared(doc_lines(doc), template)
    answered = 0
    for seq in candidates:
        fast = _exact(lines, table, seq, position)
        if fast is not None:
            cols = [position[t.key] for t in seq]
            assert _signature(fast) == _signature(align(lines, seq, template, [[g[c] for c in cols] for g in table]))
            answered += 1
    whole = best_alignment(doc_lines(doc), template)
    assert _signature(whole) == _signature(dp_alignment(lines, table, position, candidates, template)), path.name
    return answered, int(answered == 1)


def test_the_fast_path_is_the_dp_wherever_it_answers():
    decided = sum(_held(p)[1] for p in FILES)
    assert decided >= 10, "the fast path answered almost nothing: its conditions no longer fit clean tables"


def test_reading_order_text_is_left_to_the_dp(tmp_path):
    rng = random.Random(3)
    for i in range(30):
        year = rng.randint(2021, 2025)
        report = series(rng, [year], templates={year: "2021"})[0]
        style = _style(rng, "docx", report)
        apply_quirks(report, style, rng)
        path = tmp_path / f"ro{i}.txt"
        path.write_text(reading_order_text(report, style, rng, {k for k in KINDS if rng.random() < 0.35}),
                        encoding="utf-8")
        _held(path)
