"""Scanned reports (issue 26): a LibreOffice PDF of a generated report, rasterised and spoiled
the way scanners spoil pages (corpus/scans.py), read back by OCR through the same template
and the same arithmetic. A number the arithmetic does not confirm, and that the engine was
not sure of, stays null and marked: never a wrong number, never the agency's error."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from corpus.scans import ScanStyle, page_images, to_docx, to_pdf
from ingestion.parser.parse import parse_file

FIXTURES = Path(__file__).parents[1] / "fixtures" / "corpus" / "generated"
REPORT = "gen11_0000"


@pytest.fixture(scope="module")
def report():
    gold = json.loads((FIXTURES / "gold" / f"{REPORT}.json").read_text(encoding="utf-8"))
    return (FIXTURES / "docs" / f"{REPORT}.pdf").read_bytes(), gold


def _scan(tmp_path: Path, pdf: bytes, style: ScanStyle, spoil=None) -> dict:
    images = page_images(pdf, style, random.Random(5))
    if spoil:
        spoil(images)
    path = tmp_path / f"{style.name}.pdf"
    path.write_bytes(to_pdf(images))
    return parse_file(path)


def _wrong(out: dict, gold: dict) -> list[tuple[str, object, object]]:
    return [(f, v, gold["cells"][f]) for f, v in out["cells"].items() if v is not None and v != gold["cells"].get(f)]


@pytest.mark.parametrize(("style", "share"), [(ScanStyle(200, skew=1.6, jpeg=40, blur=0.8), 0.95),
                                              (ScanStyle(200, seal=True, paper=(238, 230, 200)), 0.75)],
                         ids=["skew-jpeg-blur", "seal-paper"])
def test_a_scan_reads_right_or_null_never_wrong(report, style, share, tmp_path):
    """A seal over a table hides a few rows: those are null (the share read is lower), not guessed."""
    pdf, gold = report
    out = _scan(tmp_path, pdf, style)
    assert (out["agency"], out["year"]) == (gold["agency"], gold["year"])
    assert _wrong(out, gold) == []
    printed = [f for f, v in gold["cells"].items() if v is not None]
    read = [f for f in printed if out["cells"][f] is not None]
    assert len(read) >= share * len(printed), f"{len(read)} of {len(printed)} read"
    assert out["violations"] == []  # whatever the scan hides is doubt, not the agency's arithmetic
    assert any("read by OCR" in w for w in out["warnings"])


def test_a_scan_pasted_into_word_is_read_page_by_page(report, tmp_path):
    """A Word file whose paragraphs are page pictures and which has no table."""
    pdf, gold = report
    path = tmp_path / "scan.docx"
    path.write_bytes(to_docx(page_images(pdf, ScanStyle(200, skew=0.6, jpeg=50), random.Random(3))))
    out = parse_file(path)
    assert (out["agency"], out["year"]) == (gold["agency"], gold["year"])
    assert _wrong(out, gold) == []
    assert sum(v is not None for v in out["cells"].values()) >= 0.95 * sum(v is not None for v in gold["cells"].values())
    assert out["source"]["format"] == "docx" and any("picture(s) of pages" in w for w in out["warnings"])


def test_every_ocr_cell_says_where_it_was_read_and_how_it_was_checked(report, tmp_path):
    pdf, _ = report
    out = _scan(tmp_path, pdf, ScanStyle(200))
    ocr = [p["ocr"] for f, p in out["provenance"].items() if "ocr" in p]
    assert len(ocr) >= 150
    assert all(len(o["box"]) == 4 and 0 <= o["confidence"] <= 1 and o["checked"] for o in ocr)
    assert sum(o["checked"] == "confirmed by the arithmetic" for o in ocr) >= 100
    assert out["extraction"]["status"] in ("verified", "uncertain")  # never "exact": a scan has no delimiters to trust


def _overprinted(report, tmp_path, new):
    """The report scanned with its 新收 总计 painted over by `new(total)` (what a misread
    looks like to the arithmetic)."""
    pdf, gold = report
    total = gold["cells"]["applications.new_received.total"]

    def overprint(images):
        from PIL import ImageDraw

        from ingestion.parser.readers import scan

        _paint_over(images, scan, str(total), new(total), ImageDraw)

    return _scan(tmp_path, pdf, ScanStyle(200), spoil=overprint), gold


def test_a_misread_digit_the_sums_pin_down_is_corrected_and_said(report, tmp_path):
    """One digit off (the last one changed): its row total and the balance of section 三
    both give the printed value back, so it is corrected, and its provenance says from what."""
    out, gold = _overprinted(report, tmp_path, lambda t: str(t)[:-1] + str((t + 3) % 10))
    field = "applications.new_received.total"
    assert out["cells"][field] == gold["cells"][field]
    assert out["provenance"][field]["ocr"]["checked"].startswith("corrected by the arithmetic")
    assert _wrong(out, gold) == [] and out["violations"] == []


def test_a_number_the_sums_contradict_and_cannot_pin_down_is_null_and_doubt(report, tmp_path):
    """A number with digits added (not one misread digit): the cells of the failing sums
    that nothing else confirms are null and uncertain, and the report has no violation."""
    out, gold = _overprinted(report, tmp_path, lambda t: str(t) + "07")
    field = "applications.new_received.total"
    assert _wrong(out, gold) == []
    assert out["cells"][field] is None and field in out["extraction"]["uncertain_cells"]
    assert out["violations"] == []


def _paint_over(images, scan, old: str, new: str, draw_module) -> None:
    """Find the 新收政府信息公开申请数量 row's 总计 cell on the scan and print `new` over it."""
    import numpy as np

    for page_no, img in enumerate(images, start=1):
        gray = np.asarray(img)[:, :, 0].copy()
        horizontal, vertical, ink = scan._rulings(gray)
        for piece in scan._page(gray, ink, horizontal, vertical, page_no).pieces:
            for row, (_, (_, top, right, bottom), _) in zip(piece.rows, piece.ocr):
                if any("新收" in c for c in row) and row[-1] == old:
                    left = int(piece.xs[-2] * scan.DPI / 72) + 6
                    d = draw_module.Draw(img)
                    d.rectangle((left, top + 6, right - 6, bottom - 6), fill=(255, 255, 255))
                    d.text((left + 4, top + 10), new, fill=(0, 0, 0), font=_font())
                    return
    raise AssertionError(f"no 新收 row printing {old} found on the scan")


def _font():
    from PIL import ImageFont

    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                 "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"):
        if Path(path).exists():
            return ImageFont.truetype(path, 34)
    return ImageFont.load_default(size=34)
