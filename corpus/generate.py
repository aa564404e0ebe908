"""Write a fixed-seed corpus of reports with gold files (the form of ../shared/gold).

    python -m corpus.generate --out corpus_out --n 200 --seed 7

Writes OUT/docs/<id>.<ext> and OUT/gold/<id>.json, made the way real documents are made:
text exports in every shape, DOCX, DOC and PDF rendered by LibreOffice, HTML pages (UTF-8
and GBK), `pdftotext -layout` run on a rendered PDF (format `layout`), and HTML flattened
the way a crawler does it, the cells of a table run together (format `crawler`); reports
in the 2021 format and in the 2019 trial format. Score it with
    python3 ../shared/tools/score.py --cmd '.venv/bin/govinfo parse {file}' --docs OUT/docs --gold OUT/gold
"""
from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

from ingestion.parser import SCHEMA
from ingestion.parser.spec import APPLICANT_COLS, APPLICANT_TYPES, outcome_rows

from .prose import plant
from .render import QUIRKS, SHAPES, TITLE_FORMS, Style, render
from .truth import Report, fold_other_processing, inject, series

RULES = ("balance", "outcome_sum", "row_total", "review_total")


@dataclass
class Case:
    id: str
    filename: str
    content: bytes
    gold: dict


def apply_quirks(report: Report, style: Style, rng: random.Random) -> None:
    """Quirks that change what the document prints change the truth the same way."""
    c = report.cells
    rows = {k.split(".")[1] for k in c if k.startswith("applications.")}
    if style.has("fold_other") and report.template != "2019":  # a 2019 report is printed folded already
        fold_other_processing(c)
    if style.has("no_other_column"):
        for row in rows:
            k = f"applications.{row}.other_org"
            if c[k] is not None:
                c[f"applications.{row}.natural_person"] += c[k]
            c[k] = None
    if style.has("blank_applicants"):
        for row in rows:
            for t in APPLICANT_TYPES:
                c[f"applications.{row}.{t}"] = None
    if style.has("blank_outcomes") and not any(c[f"applications.{r}.total"] for r in outcome_rows()):
        for r in outcome_rows():
            for col in APPLICANT_COLS:
                c[f"applications.{r}.{col}"] = None
    if style.has("fees_decimal") and report.template == "2021":
        c["active.admin_fees.amount_10k_yuan"] = round(rng.uniform(0.01, 99), 2)


TEXT_ONLY_QUIRKS = {"wrapped_labels", "bookmarks", "qualified_header"}  # artefacts of text exports only
# format → share of the corpus; pdf-docx / pdf-html are PDFs LibreOffice renders from DOCX /
# HTML; layout is `pdftotext -layout` of a PDF rendered from DOCX; crawler is flattened HTML
FORMATS = {"txt": 0.2, "docx": 0.1, "doc": 0.06, "html": 0.12, "pdf-docx": 0.2, "pdf-html": 0.1,
           "layout": 0.12, "crawler": 0.1}
QUIRK_RATE = 0.2
# quirks whose real frequency is lower than the rest (in a sample of real reports: one in
# thirteen printed only the 总计 column)
QUIRK_RATES = {"blank_applicants": 0.06, "spam_title": 0.1, "prose_numbers": 0.7}
PROSE_PLANT_RATE = 0.1  # reports whose text states a number its table contradicts (corpus.prose)


def _style(rng: random.Random, fmt: str, report: Report) -> Style:
    quirks = {q for q in QUIRKS if rng.random() < QUIRK_RATES.get(q, QUIRK_RATE)}
    if fmt != "txt":
        quirks -= TEXT_ONLY_QUIRKS
    if report.template == "2019":
        quirks.add("fold_other")  # the trial format prints （六）其他处理 as one row
    title = rng.choice(TITLE_FORMS) if rng.random() < 0.6 else ""
    return Style(shape=rng.choice(SHAPES), quirks=quirks, title=title, seed=rng.randrange(1 << 30))


def _template_of(rng: random.Random, year: int) -> str:
    """The 2019 trial format for 2019 reports and for about half of the 2020 ones."""
    return "2019" if year == 2019 or (year == 2020 and rng.random() < 0.5) else "2021"


def _gold(case_id: str, report: Report, style: Style, fmt: str) -> dict:
    return {"schema": SCHEMA, "agency": report.agency, "year": report.year, "format": fmt.split("-")[0],
            "template": report.template,
            "cells": report.cells, "expected_violations": report.expected_violations,
            "injected": report.injected,
            "prose_planted": report.prose_planted,
            "notes": f"generated; source={fmt}; shape={style.shape}; title={style.title or 'plain'}; "
                     f"quirks={','.join(sorted(style.quirks)) or 'none'}"}


def _image_only_pdf() -> bytes:
    """A one-page PDF holding only an image, as a scanner makes (no text layer)."""
    img = bytes(range(64)) * 4
    content = b"q 200 0 0 200 100 500 cm /Im0 Do Q"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >> "
            b"/Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceGray /BitsPerComponent 8 "
            b"/Length %d >>\nstream\n" % len(img) + img + b"\nendstream"]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


def _zip_bomb() -> bytes:
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (80 << 20))
    return buf.getvalue()


def _bad_inputs(seed: int, sample_docx: bytes | None, sample_pdf: bytes | None,
                encrypted_pdf: bytes | None) -> list[Case]:
    bad = [
        ("empty", "txt", b"", "empty file"),
        ("binary", "bin", bytes(range(256)) * 8, "binary data"),
        ("notice", "txt", "关于做好2023年政务公开工作的通知\n各单位：\n现将有关事项通知如下。\n".encode(), "not an annual report"),
        ("no_table", "html", "<html><body><h1>某市教育局2023年政府信息公开工作年度报告</h1><p>一、总体情况</p>"
                             "<p>本年度工作平稳。</p><p>五、存在的主要问题及改进情况</p><p>无。</p><p>六、其他需要报告的事项</p>"
                             "<p>无。</p></body></html>".encode(), "report without its section 三 table"),
        ("undecodable", "txt", b"\xff\xfe\xfa" + bytes([0x81, 0x20]) * 400, "undecodable text"),
        ("image_only", "pdf", _image_only_pdf(), "image-only scan"),
        ("zip_bomb", "docx", _zip_bomb(), "zip bomb"),
        ("truncated_zip", "docx", (sample_docx or b"PK\x03\x04")[:300], "truncated DOCX"),
        ("corrupt_pdf", "pdf", b"%PDF-1.7\n" + bytes(range(256)) * 4, "corrupt PDF"),
        ("truncated_pdf", "pdf", (sample_pdf or b"%PDF-1.4\n")[:200], "truncated PDF"),
        ("fake_doc", "doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "corrupt legacy DOC"),
    ]
    if encrypted_pdf:
        bad.append(("encrypted", "pdf", encrypted_pdf, "encrypted PDF"))
    return [Case(f"gen{seed}_bad_{name}", f"gen{seed}_bad_{name}.{ext}", data,
                 {"expect_error": True, "why": why, "format": ext}) for name, ext, data, why in bad]


def build_corpus(n: int, seed: int, bad: bool = True, formats: dict[str, float] | None = None,
                 workdir: Path | None = None, first_year: int = 2019) -> list[Case]:
    """n reports in every format (PDF and DOC rendered by LibreOffice, layout text by
    pdftotext from such a PDF), then the bad inputs."""
    import tempfile

    from .writers import crawl_text, libreoffice_convert, libreoffice_encrypted_pdf, pdftotext_layout, to_docx, to_html

    formats = formats or FORMATS
    rng = random.Random(seed)
    cases: list[Case] = []
    pending: list[tuple[str, str, Path]] = []  # (case id, target ext, source file) for LibreOffice
    layout: set[str] = set()  # case ids whose PDF becomes pdftotext -layout text
    with tempfile.TemporaryDirectory(prefix="govinfo-corpus-", dir=workdir) as tmp:
        tmp = Path(tmp)
        while len(cases) < n:
            years = sorted(rng.sample(range(first_year, 2026), rng.choice([1, 1, 2, 3])))
            years = list(range(years[0], years[0] + len(years)))
            broken = years[-1] if len(years) > 1 and rng.random() < 0.3 else None
            templates = {y: _template_of(rng, y) for y in years}
            for report in series(rng, years, break_carryover_at=broken, templates=templates):
                if len(cases) >= n:
                    break
                fmt = rng.choices(list(formats), weights=list(formats.values()))[0]
                if rng.random() < 0.12:
                    inject(rng, report, rng.choice(RULES))
                style = _style(rng, fmt, report)
                apply_quirks(report, style, rng)
                own = random.Random(f"plant:{seed}:{len(cases)}")  # apart from the main draws
                if own.random() < PROSE_PLANT_RATE:
                    plant(report, own)
                case_id = f"gen{seed}_{len(cases):04d}"
                gold = _gold(case_id, report, style, fmt)
                if fmt == "txt":
                    content, ext = render(report, style, rng).encode("utf-8"), "txt"
                elif fmt == "crawler":
                    content, ext = crawl_text(to_html(report, style, rng), rng), "txt"
                elif fmt in ("docx", "doc", "pdf-docx", "layout"):
                    content, ext = to_docx(report, style, rng), "docx"
                else:
                    enc = rng.choice(["utf-8", "gbk"]) if fmt == "html" else "utf-8"
                    content, ext = to_html(report, style, rng, encoding=enc), "html"
                if fmt in ("doc", "pdf-docx", "pdf-html", "layout"):
                    src = tmp / f"{case_id}.{ext}"
                    src.write_bytes(content)
                    pending.append((case_id, "doc" if fmt == "doc" else "pdf", src))
                    content, ext = b"", "doc" if fmt == "doc" else "txt" if fmt == "layout" else "pdf"
                    if fmt == "layout":
                        layout.add(case_id)
                cases.append(Case(case_id, f"{case_id}.{ext}", content, gold))
        for target in ("pdf", "doc"):
            srcs = [src for _, t, src in pending if t == target]
            libreoffice_convert(srcs, target, tmp / "out")
        by_id = {c.id: c for c in cases}
        for case_id, target, src in pending:
            data = (tmp / "out" / f"{case_id}.{target}").read_bytes()
            by_id[case_id].content = pdftotext_layout(data) if case_id in layout else data
        encrypted = None
        if bad:
            src = tmp / "encrypt_me.docx"
            src.write_bytes(to_docx(series(rng, [2023])[0], Style("cells"), rng))
            encrypted = libreoffice_encrypted_pdf(src, tmp / "enc").read_bytes()
    if bad:
        docx_sample = next((c.content for c in cases if c.filename.endswith(".docx")), None)
        pdf_sample = next((c.content for c in cases if c.filename.endswith(".pdf")), None)
        cases.extend(_bad_inputs(seed, docx_sample, pdf_sample, encrypted))
    return cases


def write_corpus(cases: list[Case], out: Path) -> None:
    docs, gold = Path(out) / "docs", Path(out) / "gold"
    docs.mkdir(parents=True, exist_ok=True)
    gold.mkdir(parents=True, exist_ok=True)
    for c in cases:
        (docs / c.filename).write_bytes(c.content)
        (gold / f"{c.id}.json").write_text(json.dumps(c.gold, ensure_ascii=False, indent=1), encoding="utf-8")


def read_corpus(out: Path) -> list[Case]:
    """The cases `write_corpus` wrote into `out`, in the order of their ids (a document's
    file is `docs/<id>.<ext>`)."""
    docs = {p.stem: p for p in (Path(out) / "docs").iterdir()}
    return [Case(g.stem, docs[g.stem].name, docs[g.stem].read_bytes(), json.loads(g.read_text(encoding="utf-8")))
            for g in sorted((Path(out) / "gold").glob("*.json"))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-bad", action="store_true", help="leave out the bad inputs")
    args = ap.parse_args()
    cases = build_corpus(args.n, args.seed, bad=not args.no_bad)
    write_corpus(cases, args.out)
    print(f"wrote {len(cases)} documents to {args.out}/docs and gold to {args.out}/gold")


if __name__ == "__main__":
    main()
