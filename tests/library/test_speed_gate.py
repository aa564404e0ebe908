"""The speed gate: parse speed against naive pdfplumber, and start-up, so a slowdown cannot
land unnoticed. Ratios, never absolute times: both sides run in the same moment on the same
machine (interleaved, best of three), so a busy machine slows both. The thresholds are wide
(docs/maintainers.md, "The speed gate", says how to read a failure); the figures are printed
every time (`pytest -s` or the `-rA` summary)."""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

PDFS = sorted((Path(__file__).parents[1] / "fixtures" / "speed_pdfs").glob("*.pdf"))  # ../shared/bench/pdfs
TEXT = Path(__file__).parents[2] / "samples" / "raw" / "000_4a4088c024613222.txt"
MIN_RATIO = 2.4  # half of what the parser measured when the gate was last set (4.7-5.1x, BENCHMARKS.md, issue 21)
MAX_STARTUP_S = 0.300
NAIVE = ("import sys, pdfplumber\n"
         "for p in sys.argv[1:]:\n"
         "    with pdfplumber.open(p) as pdf:\n"
         "        for page in pdf.pages:\n"
         "            page.extract_tables(); page.close()\n")
OURS = "import sys; from govinfo.cli import main; sys.exit(main(['parse', *sys.argv[1:]]))"
STARTUP = "import govinfo.cli, ingestion.parser.parse"


def _wall(code: str, *args: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *map(str, args)], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def test_parse_is_fast_against_naive_pdfplumber():
    assert len(PDFS) == 21
    naive, ours = [], []
    for _ in range(3):
        naive.append(_wall(NAIVE, *PDFS))
        ours.append(_wall(OURS, *PDFS))
    ratio = min(naive) / min(ours)
    print(f"speed gate: {ratio:.2f}x naive pdfplumber (naive {min(naive):.2f} s, ours {min(ours):.2f} s, "
          f"{len(PDFS)} PDFs; fails under {MIN_RATIO}x)")
    assert ratio >= MIN_RATIO


def test_start_up_is_short():
    startup = statistics.median(_wall(STARTUP) for _ in range(5))
    one = statistics.median(_wall(OURS, TEXT) for _ in range(5))
    print(f"start-up gate: {startup * 1000:.0f} ms to import the parser (fails over {MAX_STARTUP_S * 1000:.0f} ms); "
          f"one text report parsed in {one * 1000:.0f} ms wall")
    assert startup <= MAX_STARTUP_S
