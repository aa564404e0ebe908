"""The generated documents the library tests read, committed under tests/fixtures/corpus, so
that those tests need no LibreOffice and no converter (the PDFs and DOCs in them were made by
LibreOffice all the same, and the converter forms by poppler, PyMuPDF, pdfminer…).

`python -m corpus.fixtures` (`make fixtures`) writes them again after a generator change;
tests/pipeline/test_fixtures.py fails while the committed ones differ from what the
generator makes (their truth and their file names: a PDF's bytes differ from run to run).
"""
from __future__ import annotations

import argparse
import shutil
from collections.abc import Callable
from pathlib import Path

from .generate import Case, write_corpus

ROOT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "corpus"


def _generated() -> list[Case]:
    """Every format (PDF and DOC rendered by LibreOffice), every text shape and quirk, and
    the bad inputs."""
    from .generate import build_corpus

    return build_corpus(72, seed=11)


def _forms() -> list[Case]:
    """Seed 31: four PDFs (2019 and 2021 formats), an HTML page and two text reports, no blank
    cells, each in every converter's form, and copies cut short."""
    from .convert import build_forms

    return build_forms(7, seed=31, formats={"pdf-docx": 0.5, "html": 0.25, "txt": 0.25})


SETS: dict[str, Callable[[], list[Case]]] = {"generated": _generated, "forms": _forms}


def write(name: str, root: Path = ROOT) -> Path:
    """Make one set again and put it in place of the committed one."""
    out = root / name
    shutil.rmtree(out, ignore_errors=True)
    write_corpus(SETS[name](), out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", default=list(SETS), help="sets to write: " + ", ".join(SETS))
    for name in ap.parse_args().names:
        print(f"wrote {write(name)}", flush=True)


if __name__ == "__main__":
    main()
