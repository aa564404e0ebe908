"""Regenerate the generated part of samples/raw (the seeds are copied from shared/seeds).

    python -m corpus.sample samples/raw

Two consecutive years of one agency that chain, two that do not (carryover), one report
with a broken total, one in each text shape, and one empty file for the quarantine.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

from .render import Style, render
from .truth import inject, series


def write_sample(out: Path) -> list[Path]:
    rng = random.Random(2024)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    chained = series(rng, [2022, 2023], agency=("聊城市教育局", "聊城市", "教育局"))
    broken = series(rng, [2022, 2023], agency=("临沂市财政局", "临沂市", "财政局"), break_carryover_at=2023)
    wrong_total = series(rng, [2023], agency=("济南市商务局", "济南市", "商务局"))
    inject(rng, wrong_total[0], "balance")
    for i, report in enumerate([*chained, *broken, *wrong_total]):
        style = Style(("cells", "tabs", "pipes")[i % 3])
        path = out / f"gen_{report.place}_{report.kind}_{report.year}.txt"
        path.write_text(render(report, style, rng), encoding="utf-8")
        written.append(path)
    bad = out / "gen_empty_upload.txt"
    bad.write_bytes(b"")
    written.append(bad)
    return written


if __name__ == "__main__":
    for p in write_sample(Path(sys.argv[1] if len(sys.argv) > 1 else "samples/raw")):
        print(p)
