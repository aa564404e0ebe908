"""PDF with a text layer, read with pdfium (pypdfium2, which pdfplumber itself depends on).

Ruled tables are rebuilt from the page's thin path objects: ruling segments are grouped
into tables (connected segments), their x and y positions give an atomic grid, and two
neighbouring grid cells are one merged cell where no ruling segment separates them. Each
merged cell's text is read from pdfium inside its box. Table pieces on consecutive pages
with the same column edges are one table; a row split across the page break is joined
again. pdfium is ~10x faster than pdfminer (pdfplumber's engine) on these documents; the
tests cross-check this reader against pdfplumber.

Pages without ruling lines fall back to pdfium's text lines, split into cells by runs of
spaces (blank cells cannot be placed there, and the mapper says so in its warnings).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..document import Document, RejectedDocument, Row
from ..textnorm import nfkc, parse_number, squash

MAX_PAGES = 500
THIN = 2.0  # a path thinner than this (pt) in one direction is a ruling line
SNAP = 2.5  # grid positions closer than this (pt) are the same line
TOUCH = 2.5  # segments this close are connected
_ENUMERATED = re.compile(r"^[(（]?[一二三四五六七八九十\d]+[)）、.．]")


@dataclass
class Piece:
    """One ruled table on one page, as printed rows."""
    page: int
    top: float
    bottom: float
    xs: list[float]
    rows: list[list[str]] = field(default_factory=list)
    page_height: float = 0.0


def _segments(page, pdfium_c) -> tuple[list[tuple], list[tuple]]:
    """(horizontal (y, x0, x1), vertical (x, y0, y1)) ruling segments of a page."""
    horizontal, vertical = [], []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        w, h = right - left, top - bottom
        if h <= THIN and w > THIN:
            horizontal.append(((bottom + top) / 2, left, right))
        elif w <= THIN and h > THIN:
            vertical.append(((left + right) / 2, bottom, top))
        elif w > THIN and h > THIN and w * h < 400 * 400:
            # a cell drawn as a stroked rectangle: its four edges
            horizontal += [(bottom, left, right), (top, left, right)]
            vertical += [(left, bottom, top), (right, bottom, top)]
    return horizontal, vertical


def _components(horizontal, vertical) -> list[tuple[list, list]]:
    """Group segments that touch into tables."""
    segs = [("h", s) for s in horizontal] + [("v", s) for s in vertical]
    parent = list(range(len(segs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def touches(a, b) -> bool:
        (ka, sa), (kb, sb) = a, b
        if ka == kb:
            pos_a, lo_a, hi_a = sa
            pos_b, lo_b, hi_b = sb
            return abs(pos_a - pos_b) <= TOUCH and lo_a <= hi_b + TOUCH and lo_b <= hi_a + TOUCH
        (y, x0, x1), (x, y0, y1) = (sa, sb) if ka == "h" else (sb, sa)
        return x0 - TOUCH <= x <= x1 + TOUCH and y0 - TOUCH <= y <= y1 + TOUCH

    for i in range(len(segs)):
        for j in range(i + 1, len(segs)):
            if find(i) != find(j) and touches(segs[i], segs[j]):
                parent[find(i)] = find(j)
    groups: dict[int, tuple[list, list]] = {}
    for i, (kind, s) in enumerate(segs):
        g = groups.setdefault(find(i), ([], []))
        (g[0] if kind == "h" else g[1]).append(s)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= SNAP:
            continue
        out.append(v)
    return out


def _covered(segments, pos: float, lo: float, hi: float) -> bool:
    """Is the boundary at `pos` drawn between lo and hi (at its middle)?"""
    mid = (lo + hi) / 2
    return any(abs(p - pos) <= SNAP and a - SNAP <= mid <= b + SNAP for p, a, b in segments)


def _piece(textpage, page_no: int, horizontal, vertical, page_height: float) -> Piece | None:
    xs = _snap([x for x, _, _ in vertical])
    ys = _snap([y for y, _, _ in horizontal])[::-1]  # top to bottom
    if len(xs) < 2 or len(ys) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = {(r, c): (r, c) for r in range(n_rows) for c in range(n_cols)}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not _covered(vertical, xs[c + 1], ys[r + 1], ys[r]):
                parent[find((r, c))] = find((r, c + 1))
            if r + 1 < n_rows and not _covered(horizontal, ys[r + 1], xs[c], xs[c + 1]):
                parent[find((r, c))] = find((r + 1, c))
    spans: dict[tuple, list[int]] = {}
    for (r, c) in parent:
        root = find((r, c))
        s = spans.setdefault(root, [r, c, r, c])
        s[0], s[1], s[2], s[3] = min(s[0], r), min(s[1], c), max(s[2], r), max(s[3], c)
    rows = [[""] * n_cols for _ in range(n_rows)]
    for r0, c0, r1, c1 in spans.values():
        left, right, top, bottom = xs[c0], xs[c1 + 1], ys[r0], ys[r1 + 1]
        text = textpage.get_text_bounded(left=left + 0.5, bottom=bottom + 0.5, right=right - 0.5, top=top - 0.5)
        rows[r0][c0] = squash(text)
    rows = [r for r in rows if any(r)]
    return Piece(page=page_no, top=ys[0], bottom=ys[-1], xs=xs, rows=rows, page_height=page_height)


_ROW_STARTS = ("规章", "行政规范性文件", "规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费", "信息内容",
               "自然人", "行政复议", "结果维持", "第二十条", "申请人情况")


def _starts_row(label: str) -> bool:
    return bool(_ENUMERATED.match(label)) or label.startswith(_ROW_STARTS)


def _is_continuation(prev: list[str], first: list[str]) -> bool:
    """Is `first` (top row of a piece) the rest of `prev` (last row of the piece before),
    split by the page break? A row of its own starts with an enumerated or known label
    somewhere; a fragment (the rest of a wrapped label, or values alone under a label
    that had none) does not."""
    labels = [c for c in first if c and not parse_number(c)[0]]
    if any(_starts_row(c) for c in labels):
        return False
    if labels:
        return True
    prev_labels = [c for c in prev if c and not parse_number(c)[0]]
    prev_values = [c for c in prev if c and parse_number(c)[0]]
    return bool(prev_labels) and not prev_values and any(first) and _starts_row(prev_labels[-1])


def _stitch(pieces: list[Piece]) -> list[tuple[int, Piece]]:
    """Assign table numbers; join a piece to the one before when it continues it on the next
    page with the same column edges, mending a row split by the page break."""
    out: list[tuple[int, Piece]] = []
    table = -1
    for piece in pieces:
        prev = out[-1][1] if out else None
        same = (prev is not None and piece.page == prev.page + 1 and len(piece.xs) == len(prev.xs)
                and all(abs(a - b) <= SNAP * 2 for a, b in zip(piece.xs, prev.xs)))
        if same and prev.rows and piece.rows and _is_continuation(prev.rows[-1], piece.rows[0]):
            prev.rows[-1] = [a + b for a, b in zip(prev.rows[-1], piece.rows[0])]
            piece.rows = piece.rows[1:]
        if not same:
            table += 1
        out.append((table, piece))
    return out


def _text_rows(text: str, table: int, page_no: int) -> list[Row]:
    rows = []
    for line in text.splitlines():
        cells = [c for c in re.split(r"\s{1,}", line.strip()) if c]
        if len(cells) >= 2 and any(parse_number(c)[0] for c in cells[1:]):
            rows.append(Row(cells=cells, table=table, page=page_no))
    return rows


def read(data: bytes) -> Document:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg:
            raise RejectedDocument("encrypted PDF (a password is required to open it)") from None
        raise RejectedDocument(f"corrupt or truncated PDF ({exc})") from None
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise RejectedDocument("PDF has no pages")
        if n_pages > MAX_PAGES:
            raise RejectedDocument(f"PDF has {n_pages} pages (limit {MAX_PAGES}); not an annual report")
        texts: list[str] = []
        pieces: list[Piece] = []
        unruled: list[tuple[int, str]] = []
        chars = images = 0
        for i in range(n_pages):
            page = pdf[i]
            textpage = page.get_textpage()
            try:
                n = textpage.count_chars()
                chars += n
                text = textpage.get_text_range() if n else ""
                texts.append(text)
                if n == 0:
                    images += sum(1 for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
                    continue
                horizontal, vertical = _segments(page, pdfium_c)
                comps = _components(horizontal, vertical)
                page_pieces = [p for h, v in comps
                               if (p := _piece(textpage, i + 1, h, v, page.get_height())) is not None and p.rows]
                pieces.extend(sorted(page_pieces, key=lambda p: -p.top))
                if not page_pieces:
                    unruled.append((i + 1, text))
            finally:
                textpage.close()
                page.close()
    finally:
        pdf.close()
    if chars == 0:
        if images:
            raise RejectedDocument("image-only PDF (a scan without a text layer); OCR is not supported")
        raise RejectedDocument("PDF has no text")
    full = nfkc("\n".join(texts).replace("\r\n", "\n").replace("\r", "\n"))
    if full.count("\ufffd") > max(20, len(full) // 50):
        raise RejectedDocument("PDF text is not decodable (fonts without a Unicode map)")
    rows: list[Row] = []
    stitched = _stitch(pieces)
    for table, piece in stitched:
        rows.extend(Row(cells=[nfkc(c) for c in cells], table=table, page=piece.page) for cells in piece.rows)
    doc = Document(format="pdf", text=full, rows=rows, pages=n_pages)
    if unruled and not pieces:
        doc.warnings.append("no ruled tables: cells read from text lines, blank cells cannot be placed")
        next_table = 0
        for page_no, text in unruled:
            rows.extend(_text_rows(nfkc(text.replace("\r\n", "\n")), next_table, page_no))
            next_table += 1
    return doc
