"""Regenerate the generated part of samples/raw (the seeds are copied from shared/seeds).

    python -m corpus.sample samples/raw

What `make demo` should show, kept small: every format a report arrives in (a PDF rendered by
LibreOffice, DOCX, HTML in GBK, text in each shape), two consecutive years of one agency that
chain across formats and two that do not (carryover), a report in the 2019 trial format
whose section-四 total is wrong, a report with a broken total and its corrected
re-publication (the marts use the correction), reports whose text states some of their
numbers, one of them (the PDF) a number its table contradicts, and an empty upload for the
quarantine. Needs LibreOffice (`soffice`) for the PDF.
"""
from __future__ import annotations

import random
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from .prose import plant
from .render import Style, render
from .truth import inject, series
from .writers import libreoffice_convert, to_docx, to_html


def write_sample(out: Path) -> list[Path]:
    rng = random.Random(2024)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("gen_*"):
        old.unlink()
    chained = series(rng, [2022, 2023], agency=("聊城市教育局", "聊城市", "教育局"))
    broken = series(rng, [2022, 2023], agency=("临沂市财政局", "临沂市", "财政局"), break_carryover_at=2023)
    corrected = series(rng, [2023], agency=("济南市商务局", "济南市", "商务局"))[0]
    # first published with a broken total, then corrected: two versions of one agency-year
    wrong_total = replace(corrected, cells=dict(corrected.cells), injected=[], injected_checks=[])
    inject(rng, wrong_total, "balance")
    trial = series(rng, [2019], agency=("德州市民政局", "德州市", "民政局"), templates={2019: "2019"})[0]
    inject(rng, trial, "review_total")  # a published report that breaks its own section-四 total
    plant(chained[1], random.Random(14), "applications_received")  # its text contradicts its table
    says = {"prose_numbers"}  # the text states some of the report's numbers

    texts = {"gen_聊城市_教育局_2022.txt": render(chained[0], Style("cells", says), rng),
             "gen_济南市_商务局_2023.txt": render(wrong_total, Style("pipes"), rng),
             "gen_济南市_商务局_2023_更正.txt": render(corrected, Style("tabs"), rng),
             "gen_德州市_民政局_2019.txt": render(trial, Style("cells"), rng)}
    for name, text in texts.items():
        (out / name).write_text(text, encoding="utf-8")
    (out / "gen_临沂市_财政局_2022.docx").write_bytes(to_docx(broken[0], Style("cells", says), rng))
    (out / "gen_临沂市_财政局_2023.html").write_bytes(to_html(broken[1], Style("cells"), rng, encoding="gbk"))
    with tempfile.TemporaryDirectory(prefix="govinfo-sample-") as tmp:
        src = Path(tmp) / "gen_聊城市_教育局_2023.docx"
        src.write_bytes(to_docx(chained[1], Style("cells"), rng))
        libreoffice_convert([src], "pdf", out)
    (out / "gen_empty_upload.txt").write_bytes(b"")
    return sorted(out.glob("gen_*"))


if __name__ == "__main__":
    for p in write_sample(Path(sys.argv[1] if len(sys.argv) > 1 else "samples/raw")):
        print(p)
