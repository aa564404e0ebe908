"""Scanned pages (no text layer) read by OCR into the same rows and cells as a ruled PDF.

A page image is straightened (its skew measured on its own ruling lines), the ruling lines
are found by their shape (long thin runs of ink: OpenCV morphology), and they become the
same ruling segments pdfium's path objects give the PDF reader, so one grid builder makes
the tables of both (`pdf._components`, `pdf._merged_cells`, the page-break stitching).
Each cell's text lines are cut apart by their rows of ink and recognised one by one; the
text outside the tables (title, body) is found and recognised on the page with the tables
blanked. The engine is RapidOCR (PP-OCR models inside its wheel, run by onnxruntime on the
CPU; docs/maintainers.md says why it and not Tesseract). Nothing is downloaded.

OCR misreads digits. What a cell's recognition gives is therefore only a candidate: each
row carries its lowest confidence, its box and each cell's confidence, and `ocr.gate` keeps a number only
where the template's arithmetic confirms it, or where the engine was sure and no rule
contradicts it. Red ink (an official seal over a table) is dropped by reading the red
channel, where the seal is as light as paper and black print stays black.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from ..textnorm import nfkc

DPI = 200  # pages are rasterised at this resolution, whatever the scan's own
# ink is this much darker than the paper around it (in the red channel): a red seal's
# stroke (~30 darker) is not ink; print, and print under the seal (~90 darker), is
INK = 45
RULE_INK = 20  # ruling lines may be faint grey (an HTML table's 1 px border): found at a lower contrast
SURE = 0.97  # a recognised number this sure stands where no rule covers it (parser/ocr.py)
SLANT = 0.03  # a ruling line may drift this much across its length (a photographed page)
MAX_PICTURES = 30  # pictures of pages read from one file (about 3 s each)
MAX_PIXELS = 60_000_000  # a page picture larger than this (a 600 dpi A3 is 70 M) is no page


@dataclass
class ScannedPage:
    """One page read by OCR: its ruled tables as pieces in PDF points (y up, like pdfium's),
    each row with its lowest confidence, box and cells' confidences (`Piece.ocr`), and the text
    outside them."""

    text: str
    pieces: list  # pdf.Piece


def read_by_ocr(what: str) -> str:
    """The warning a document read by OCR carries, whatever held the page images."""
    return (f"read by OCR ({what}); its numbers stand only where the arithmetic confirms them, "
            "or no rule covers them and the recognition was sure")


@functools.lru_cache(maxsize=1)
def engine():
    """The OCR engine, made once per process: one thread (parse workers are processes)."""
    import logging

    from rapidocr import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False,
                            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                            "Det.limit_type": "max", "Det.limit_side_len": 1280,
                            # a short crop (a number) padded to 192, not to a line's 320: 1.6x faster, as sure
                            "Rec.rec_img_shape": [3, 48, 192]})


def read_page(page, page_no: int) -> ScannedPage:
    """OCR one pdfium page."""
    import numpy as np

    return read_image(np.asarray(page.render(scale=DPI / 72).to_pil().convert("RGB")), page_no)


def read_image(rgb, page_no: int) -> ScannedPage:
    """OCR one page image (RGB array at DPI: a rendered page, or a picture scaled to it)."""
    gray = _straight(rgb[:, :, 0].copy())  # the red channel: a red seal reads as paper
    horizontal, vertical, ink = _rulings(gray)
    return _page(gray, ink, horizontal, vertical, page_no)


def read_pictures(blobs: list[bytes]) -> tuple[list[str], list]:
    """Pictures of pages (a scan pasted into a Word file), in order: each page's text and all
    their tables' pieces. A picture is scaled to an A4 page's width at DPI; one that is not
    a picture, or too large to be a page, is skipped."""
    texts, pieces = [], []
    for k, blob in enumerate(blobs[:MAX_PICTURES], start=1):
        rgb = _picture(blob)
        if rgb is not None:
            page = read_image(rgb, k)
            texts.append(page.text)
            pieces.extend(page.pieces)
    return texts, pieces


def _picture(blob: bytes):
    import io

    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(blob))
        if img.width * img.height > MAX_PIXELS or min(img.size) < 200:
            return None
        img = img.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    width = round(8.27 * DPI)  # A4
    if abs(img.width - width) > width * 0.1:
        img = img.resize((width, round(img.height * width / img.width)), Image.LANCZOS)
    return np.asarray(img)


def _binary(gray, contrast: int = INK):
    import cv2

    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, contrast)


def _straight(gray):
    """The page turned so that its long horizontal lines are level (a scan is skewed by up
    to a few degrees; a grid read skewed puts one row's cells in two rows). The skew is the
    median slope of the long horizontal strokes (ruling lines, underlines)."""
    import cv2
    import numpy as np

    h, w = gray.shape
    strokes = cv2.morphologyEx(_binary(gray, RULE_INK), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (31, 1)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(strokes, connectivity=8)
    slopes = []
    for i in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        if bw >= w // 5 and bh < bw // 8:
            ys, xs = np.nonzero(labels[y:y + bh, x:x + bw] == i)
            slopes.append(np.polyfit(xs, ys, 1)[0])
    if not slopes:
        return gray
    angle = math.degrees(math.atan(float(np.median(slopes))))
    if abs(angle) < 0.05:
        return gray
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=int(np.median(gray)))


def _rulings(gray):
    """(horizontal (y, x0, x1), vertical (x, y0, y1)) ruling segments in pixels, and the
    page's ink without them (the text)."""
    import cv2

    ink = _binary(gray)
    faint = _binary(gray, RULE_INK)
    h, w = ink.shape
    long_h = max(20, int(w * 0.03))
    long_v = max(20, int(h * 0.015))
    hmask = cv2.morphologyEx(faint, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long_h, 1)))
    vmask = cv2.morphologyEx(faint, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, long_v)))
    # join a line broken by noise or a seal's gap
    hmask = cv2.dilate(hmask, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
    vmask = cv2.dilate(vmask, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 9)))
    # thin, or a long line slanting a little (a photographed page's perspective: up to 3 %)
    horizontal = [(y + bh / 2, x, x + bw) for x, y, bw, bh in _boxes(hmask)
                  if bw >= 3 * long_h and (bh <= 14 or bh <= bw * SLANT)]
    vertical = [(x + bw / 2, y, y + bh) for x, y, bw, bh in _boxes(vmask)
                if bh >= 2 * long_v and (bw <= 14 or bw <= bh * SLANT)]
    text = cv2.subtract(ink, cv2.bitwise_or(hmask, vmask))
    return horizontal, vertical, text


def _boxes(mask) -> list[tuple[int, int, int, int]]:
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [tuple(int(v) for v in stats[i, :4]) for i in range(1, n)]


def _page(gray, ink, horizontal, vertical, page_no: int) -> ScannedPage:
    from . import pdf

    h = gray.shape[0]
    scale = 72 / DPI
    # pixels (y down) → PDF points (y up), so the PDF reader's grid code applies unchanged
    h_pt = [((h - y) * scale, x0 * scale, x1 * scale) for y, x0, x1 in horizontal]
    v_pt = [(x * scale, (h - y1) * scale, (h - y0) * scale) for x, y0, y1 in vertical]
    pieces, covered = [], []
    for hs, vs in pdf._components(h_pt, v_pt):
        piece, area = _table(gray, ink, hs, vs, page_no, h)
        if piece is not None and piece.rows:
            pieces.append(piece)
            covered.append(area)
    pieces.sort(key=lambda p: -p.top)
    return ScannedPage(text=_outside_text(gray, covered, pieces), pieces=pieces)


def _table(gray, ink, horizontal, vertical, page_no: int, height_px: int):
    """One ruled table read by OCR: a pdf.Piece (each row with its lowest confidence and
    box) and the table's area in pixels."""
    from . import pdf

    xs = pdf._snap([x for x, _, _ in vertical])
    ys = pdf._snap([y for y, _, _ in horizontal])[::-1]
    if len(xs) < 2 or len(ys) < 2:
        return None, None
    px = DPI / 72
    cells = pdf._merged_cells(xs, ys, pdf._index(vertical, xs), pdf._index(horizontal, ys))
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    lines = [[[] for _ in range(n_cols)] for _ in range(n_rows)]
    sure = [[1.0] * n_cols for _ in range(n_rows)]
    spans: list[dict[int, int]] = [{} for _ in range(n_rows)]
    for r0, c0, r1, c1 in cells:
        lines[r0][c0], sure[r0][c0] = _cell(gray, ink, _pixels(xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1], height_px))
        if c1 > c0:
            spans[r0][c0] = c1
    rows, row_spans, ocr = [], [], []
    for r in range(n_rows):
        for row in pdf._unmerge(_unjoinable(lines[r])):
            if any(row):
                box = _pixels(xs[0], ys[r], xs[-1], ys[r + 1], height_px)
                ocr.append((_row_sure(lines[r], sure[r]), box, tuple(sure[r])))
                rows.append([nfkc(c) for c in row])
                row_spans.append(spans[r])
    piece = pdf.Piece(page=page_no, top=ys[0], bottom=ys[-1], xs=xs, rows=rows,
                      page_height=height_px / px, spans=row_spans, ocr=ocr)
    return piece, _pixels(xs[0], ys[0], xs[-1], ys[-1], height_px)


def _pixels(left: float, top: float, right: float, bottom: float, height_px: int) -> tuple[int, int, int, int]:
    """A box in PDF points (y up) as (left, top, right, bottom) pixels of the page (y down)."""
    px = DPI / 72
    return (int(left * px), int((height_px / px - top) * px), int(right * px), int((height_px / px - bottom) * px))


def _unjoinable(cells: list[list[str]]) -> list[list[str]]:
    """A grid row whose cells hold several lines each is split into rows by `pdf._unmerge`
    when every printed cell holds as many; otherwise it joins a cell's lines, right for a
    wrapped label but wrong for numbers (3 over 00, a ruling line the scan lost, is no 300).
    Such a cell keeps its lines with U+FFFD between them: flagged, never read as a number."""
    filled = [c for c in cells if c]
    if len({len(c) for c in filled}) <= 1:
        return cells
    return [["\ufffd".join(c)] if sum(1 for ln in c if any(ch.isdigit() for ch in ln)) >= 2 else c for c in cells]


def _row_sure(cells: list[list[str]], sure: list[float]) -> float:
    """A row's confidence: its least sure cell holding a digit (the numbers are what the
    gate judges; a label's characters are matched to the template's labels, not trusted)."""
    scores = [s for lines, s in zip(cells, sure) if any(ch.isdigit() for ln in lines for ch in ln)]
    return min(scores, default=1.0)


def _cell(gray, ink, box) -> tuple[list[str], float]:
    """A cell's text lines and the lowest confidence among them (1.0 for an empty cell)."""
    import numpy as np

    left, top, right, bottom = box
    m = 4
    cut = ink[top + m:bottom - m, left + m:right - m]
    if cut.size == 0 or cut.max() == 0:
        return [], 1.0
    rows = np.flatnonzero(cut.sum(axis=1) > 255)
    if rows.size == 0:
        return [], 1.0
    texts, sure = [], 1.0
    for y0, y1 in _bands(rows):
        if y1 - y0 < 5:  # a speck, not a line of text
            continue
        cols = np.flatnonzero(cut[y0:y1 + 1].sum(axis=0) > 0)
        x0, x1 = int(cols[0]), int(cols[-1])
        pad = 6
        crop = gray[max(0, top + m + y0 - pad):top + m + y1 + pad + 1, max(0, left + m + x0 - pad):left + m + x1 + pad + 1]
        text, score = _recognise(crop)
        if text:
            texts.append(text)
            sure = min(sure, score)
    return texts, sure


def _bands(rows) -> list[tuple[int, int]]:
    """Runs of consecutive ink rows, joined across gaps of a pixel or two: text lines."""
    bands = []
    start = prev = int(rows[0])
    for y in rows[1:]:
        y = int(y)
        if y - prev > 3:
            bands.append((start, prev))
            start = y
        prev = y
    bands.append((start, prev))
    return bands


def _recognise(crop) -> tuple[str, float]:
    import numpy as np

    out = engine()(np.stack([crop] * 3, axis=-1), use_det=False, use_cls=False, use_rec=True)
    if not out.txts:
        return "", 0.0
    return out.txts[0].strip(), float(out.scores[0])


def _outside_text(gray, covered, pieces) -> str:
    """The page's text outside its tables, line by line from the top, with the tables' rows
    (their cells joined) where they stand: what the title, the body and the prose need.
    Text is looked for only in the bands of the page above, between and below the tables."""
    px = DPI / 72
    h = gray.shape[0]
    found = [(y, x, text) for top, bottom in _bands_outside(gray, covered) for y, x, text in _detect(gray, top, bottom)]
    for piece in pieces:  # rows evenly down the table: a grid row split in two keeps two lines
        step = (piece.top - piece.bottom) / max(1, len(piece.rows))
        for k, row in enumerate(piece.rows):
            found.append(((h / px - piece.top + step * (k + 0.5)) * px, 0.0, " ".join(c for c in row if c)))
    lines: list[tuple[float, list[tuple[float, str]]]] = []
    for y, x, text in sorted(found):
        if lines and abs(y - lines[-1][0]) < 12:
            lines[-1][1].append((x, text))
        else:
            lines.append((y, [(x, text)]))
    return "\n".join(" ".join(t for _, t in sorted(parts)) for _, parts in lines)


def _bands_outside(gray, covered) -> list[tuple[int, int]]:
    """The page's horizontal bands no table covers."""
    h = gray.shape[0]
    edges = sorted((max(0, top - 4), min(h, bottom + 5)) for _, top, _, bottom in covered)
    bands, at = [], 0
    for top, bottom in edges:
        if top - at >= 20:
            bands.append((at, top))
        at = max(at, bottom)
    if h - at >= 20:
        bands.append((at, h))
    return bands


def _detect(gray, top: int, bottom: int) -> list[tuple[float, float, str]]:
    """Text lines found and recognised in one band of the page: (y, x, text)."""
    import numpy as np

    band = gray[top:bottom]
    if int((_binary(band) > 0).sum()) < 50:  # blank paper
        return []
    out = engine()(np.stack([band] * 3, axis=-1), use_det=True, use_cls=False, use_rec=True)
    if getattr(out, "boxes", None) is None:
        return []
    return [(top + float(box[:, 1].min()), float(box[:, 0].min()), text) for box, text in zip(out.boxes, out.txts)]
