"""Reports in the forms other tools make of them: the generated PDFs, HTML pages and text put
through the converters people and crawlers really use, so the parser is measured on what
those tools write, not on what we imagine they write.

    python -m corpus.convert --out corpus_forms --n 40 --seed 7 [--forms pdftotext,pymupdf]

Forms (each keeps the report's gold; `format` in the gold names the form):
- `pdftotext`: poppler's `pdftotext` in its default mode (reading order, one text block per
  line, no columns);
- `pymupdf`: PyMuPDF's `page.get_text()` (the PDF's content order);
- `pdftohtml`, `pdftohtml-s`, `pdftohtml-c`: poppler's `pdftohtml` plain (reading-order
  lines joined by <br/>), `-s` and `-c` (one absolutely positioned element per text run);
- `lo-html-docx`, `lo-html-txt`: an HTML page opened and saved by LibreOffice as DOCX and as
  text; `lo-txt-docx`: a text report opened by LibreOffice and saved as DOCX (paragraphs only);
- held out, never tuned against, to tell whether the parser holds on tools it was not made
  for: `pdfminer` (pdfminer.six `extract_text`), `pdfplumber` (`page.extract_text()`),
  `pdfium` (pypdfium2 `get_text_range()`);
- `cut`: a copy cut short at a random line of its tables or after (a stalled copy, a partial
  download), from every text and HTML form above.

PDFs come from LibreOffice (DOCX and HTML sources), as in `corpus.generate`. Needs
poppler-utils, LibreOffice and PyMuPDF (test dependency).
"""
from __future__ import annotations

import argparse
import random
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from .generate import Case, build_corpus, write_corpus
from .writers import libreoffice_convert

# form → the base format it is made from
FORMS = {
    "pdftotext": "pdf", "pymupdf": "pdf", "pdftohtml": "pdf", "pdftohtml-s": "pdf", "pdftohtml-c": "pdf",
    "lo-html-docx": "html", "lo-html-txt": "html", "lo-txt-docx": "txt",
    "pdfminer": "pdf", "pdfplumber": "pdf", "pdfium": "pdf",
}
HELD_OUT = ("pdfminer", "pdfplumber", "pdfium")
# the base corpus: PDFs (from DOCX, and some from HTML through Writer/Web), pages and text
BASE_FORMATS = {"pdf-docx": 0.45, "pdf-html": 0.1, "html": 0.25, "txt": 0.2}
_TIMEOUT = 120


def _run(cmd: list[str], data: bytes, suffix: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="govinfo-convert-") as tmp:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(data)
        return subprocess.run([*cmd, str(src), "-"], capture_output=True, timeout=_TIMEOUT, check=True).stdout


def pdftotext(pdf: bytes) -> bytes:
    return _run(["pdftotext", "-enc", "UTF-8"], pdf, ".pdf")


def pdftohtml(pdf: bytes, mode: str) -> bytes:
    """`mode`: "" (plain), "s" or "c"; the page(s) as one HTML file, as a user saves it."""
    flags = {"": ["-noframes"], "s": ["-s"], "c": ["-c", "-noframes"]}[mode]
    with tempfile.TemporaryDirectory(prefix="govinfo-convert-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftohtml", "-q", "-i", "-enc", "UTF-8", *flags, str(src), str(Path(tmp) / "out")],
                       capture_output=True, timeout=_TIMEOUT, check=True)
        pages = sorted(p for p in Path(tmp).glob("out*.html") if p.name != "out_ind.html")
        return pages[0].read_bytes()


def pymupdf_text(pdf: bytes) -> bytes:
    import pymupdf

    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return "".join(page.get_text() for page in doc).encode("utf-8")


def pdfminer_text(pdf: bytes) -> bytes:
    import io

    from pdfminer.high_level import extract_text
    return extract_text(io.BytesIO(pdf)).encode("utf-8")


def pdfplumber_text(pdf: bytes) -> bytes:
    import io

    import pdfplumber
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages).encode("utf-8")


def pdfium_text(pdf: bytes) -> bytes:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc).encode("utf-8")
    finally:
        doc.close()


_ONE_BY_ONE = {
    "pdftotext": (pdftotext, "txt"), "pymupdf": (pymupdf_text, "txt"),
    "pdftohtml": (lambda b: pdftohtml(b, ""), "html"), "pdftohtml-s": (lambda b: pdftohtml(b, "s"), "html"),
    "pdftohtml-c": (lambda b: pdftohtml(b, "c"), "html"),
    "pdfminer": (pdfminer_text, "txt"), "pdfplumber": (pdfplumber_text, "txt"), "pdfium": (pdfium_text, "txt"),
}
# LibreOffice forms: (target, import filter)
_LIBREOFFICE = {"lo-html-docx": ("docx", None), "lo-html-txt": ("txt", None),
                "lo-txt-docx": ("docx", "Text (encoded):UTF8")}


def _form_case(base: Case, form: str, content: bytes, ext: str) -> Case:
    gold = dict(base.gold, format=form)
    gold["notes"] = gold["notes"].replace("source=", f"source={form}<", 1)
    cid = f"{base.id}_{form}"
    return Case(cid, f"{cid}.{ext}", content, gold)


def convert(base: list[Case], forms: list[str], workdir: Path | None = None) -> list[Case]:
    """Every base case whose format a form is made from, in that form."""
    out: list[Case] = []
    by_ext = {ext: [c for c in base if c.filename.endswith(f".{ext}")] for ext in ("pdf", "html", "txt")}
    for form in forms:
        if form in _ONE_BY_ONE:
            fn, ext = _ONE_BY_ONE[form]
            out.extend(_form_case(c, form, fn(c.content), ext) for c in by_ext[FORMS[form]])
    lo = [f for f in forms if f in _LIBREOFFICE]
    if lo:
        with tempfile.TemporaryDirectory(prefix="govinfo-convert-lo-", dir=workdir) as tmp:
            for form in lo:
                target, infilter = _LIBREOFFICE[form]
                sources = by_ext[FORMS[form]]
                srcdir, dst = Path(tmp) / form / "in", Path(tmp) / form / "out"
                srcdir.mkdir(parents=True)
                files = []
                for c in sources:
                    files.append(srcdir / c.filename)
                    files[-1].write_bytes(c.content)
                libreoffice_convert(files, target, dst, infilter=infilter)
                out.extend(_form_case(c, form, (dst / f"{Path(c.filename).stem}.{target}").read_bytes(), target)
                           for c in sources)
    return out


def cut_short(case: Case, rng: random.Random) -> Case:
    """The copy cut at a random line between the start of its tables and its end (mid-line,
    where the line is long enough), as a stalled copy leaves it. The gold keeps the truth:
    what was cut off must come out null, never as a number."""
    text = case.content
    start = max(0, text.find("主动公开".encode()))
    breaks = [i for i in range(start, len(text)) if text[i:i + 1] == b"\n"] or [len(text) - 1]
    at = rng.choice(breaks)
    if rng.random() < 0.3 and at > start + 8:
        at -= rng.randint(1, 6)  # mid-line: a number or a label cut through
        while at > 0 and (text[at] & 0xC0) == 0x80:  # never mid-character: the copy is still UTF-8
            at -= 1
    gold = dict(case.gold, format="cut", cut_at=at, notes=case.gold["notes"].replace("source=", "source=cut<", 1))
    return replace(case, id=f"{case.id}_cut", filename=case.filename.replace(case.id, f"{case.id}_cut"),
                   content=text[:at], gold=gold)


def build_forms(n: int, seed: int, forms: list[str] | None = None, workdir: Path | None = None,
                cuts: bool = True, formats: dict[str, float] | None = None) -> list[Case]:
    """n generated reports (PDF, HTML, text; `formats` as corpus.generate takes them), each
    in every form made from its format, and (`cuts`) one copy of each text or HTML form
    cut short."""
    forms = list(forms or FORMS)
    base = build_corpus(n, seed, bad=False, formats=formats or BASE_FORMATS, workdir=workdir)
    cases = convert(base, forms, workdir)
    if cuts:
        rng = random.Random(f"cut:{seed}")
        textual = [c for c in base + cases if c.filename.endswith((".txt", ".html"))]
        cases += [cut_short(c, rng) for c in textual]
    return cases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--forms", default=",".join(FORMS), help="comma-separated, of: " + ", ".join(FORMS))
    ap.add_argument("--no-cuts", action="store_true", help="leave out the copies cut short")
    args = ap.parse_args()
    cases = build_forms(args.n, args.seed, args.forms.split(","), cuts=not args.no_cuts)
    write_corpus(cases, args.out)
    print(f"wrote {len(cases)} documents in {len({c.gold['format'] for c in cases})} forms to {args.out}")


if __name__ == "__main__":
    main()
