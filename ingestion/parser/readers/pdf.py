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

import bisect
import ctypes
import functools
import re
from dataclasses import dataclass, field

from ..document import Document, RejectedDocument, Row
from ..textnorm import nfkc, parse_number, squash
from .text import rows_from_text

from pypdfium2.raw import FPDFText_GetBoundedText as _bounded_text  # C API: one call per table cell

MAX_PAGES = 500
THIN = 2.0  # a path thinner than this (pt) in one direction is a ruling line
SNAP = 2.5  # grid positions closer than this (pt) are the same line
TOUCH = 2.5  # segments this close are connected
# a character pdfium cannot give as Unicode (a lone surrogate) reads as U+FFFD, never
# dropped: a digit lost from a cell would read as another number; U+FFFD makes the cell no
# number (flagged), and too many of them reject the file as undecodable
UNDECODABLE = "replace"
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
    spans: list[dict[int, int]] = field(default_factory=list)  # per row: first → last column of a merged cell
    ocr: list[tuple] = field(default_factory=list)  # a scanned page's: per row, Row.ocr


def _segments(page, pdfium_c) -> tuple[list[tuple], list[tuple]]:
    """(horizontal (y, x0, x1), vertical (x, y0, y1)) ruling segments of a page.

    Read through pdfium's C API directly: the object wrappers of pypdfium2's helpers cost
    more than the rest of the table reading on a report page."""
    import ctypes

    horizontal, vertical = [], []
    raw = page.raw
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    refs = [ctypes.byref(v) for v in (left, bottom, right, top)]
    path_type, form_type = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
    get_object, get_type, get_bounds = (pdfium_c.FPDFPage_GetObject, pdfium_c.FPDFPageObj_GetType,
                                        pdfium_c.FPDFPageObj_GetBounds)
    forms = False
    for i in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = get_object(raw, i)
        kind = get_type(obj)
        if kind == path_type:
            if get_bounds(obj, *refs):
                _classify(left.value, bottom.value, right.value, top.value, horizontal, vertical)
        elif kind == form_type:
            forms = True
    if forms and not (horizontal and vertical):  # lines drawn inside form XObjects
        for obj in page.get_objects(filter=[path_type], max_depth=3):
            _classify(*obj.get_bounds(), horizontal, vertical)
    return horizontal, vertical


def _classify(left, bottom, right, top, horizontal, vertical) -> None:
    w, h = right - left, top - bottom
    if h <= THIN and w > THIN:
        horizontal.append(((bottom + top) / 2, left, right))
    elif w <= THIN and h > THIN:
        vertical.append(((left + right) / 2, bottom, top))
    elif w > THIN and h > THIN and w * h < 400 * 400:
        # a cell drawn as a stroked rectangle: its four edges
        horizontal += [(bottom, left, right), (top, left, right)]
        vertical += [(left, bottom, top), (right, bottom, top)]


def _components(horizontal, vertical) -> list[tuple[list, list]]:
    """Group segments that cross or touch into tables (horizontal joined through verticals)."""
    parent = list(range(len(horizontal) + len(vertical)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    offset = len(horizontal)
    by_x = sorted(range(len(vertical)), key=lambda j: vertical[j][0])
    xs = [vertical[j][0] for j in by_x]
    for i, (y, x0, x1) in enumerate(horizontal):
        for k in range(bisect.bisect_left(xs, x0 - TOUCH), bisect.bisect_right(xs, x1 + TOUCH)):
            j = by_x[k]
            _, y0, y1 = vertical[j]
            if y0 - TOUCH <= y <= y1 + TOUCH:
                a, b = find(i), find(offset + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list, list]] = {}
    for i, seg in enumerate(horizontal):
        groups.setdefault(find(i), ([], []))[0].append(seg)
    for j, seg in enumerate(vertical):
        groups.setdefault(find(offset + j), ([], []))[1].append(seg)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= SNAP:
            continue
        out.append(v)
    return out


def _index(segments, positions: list[float]) -> list[list[tuple[float, float]]]:
    """The segments lying on each grid position: index → [(lo, hi)]. `positions` is sorted
    (ascending, or descending for the y positions read top to bottom)."""
    out: list[list[tuple[float, float]]] = [[] for _ in positions]
    descending = len(positions) > 1 and positions[0] > positions[-1]
    keys = positions[::-1] if descending else positions
    last = len(keys) - 1
    for pos, lo, hi in segments:
        k = bisect.bisect_left(keys, pos)
        if k <= last and keys[k] - pos <= SNAP and (k == 0 or keys[k] - pos <= pos - keys[k - 1]):
            best = k
        elif k > 0 and pos - keys[k - 1] <= SNAP:
            best = k - 1
        else:
            continue
        out[last - best if descending else best].append((lo, hi))
    return out


def _covered(spans: list[tuple[float, float]], mid: float) -> bool:
    """Is a boundary drawn through `mid` (the middle of the neighbours' shared edge)?"""
    for a, b in spans:
        if a - SNAP <= mid <= b + SNAP:
            return True
    return False


_BUFFER_CHARS = 1024


def _text_in(textpage, left: float, bottom: float, right: float, top: float) -> str:
    """Text inside a box: one pdfium call into a buffer reused for the page (the helper
    makes two calls and a new buffer per box)."""
    buf = getattr(textpage, "_govinfo_buf", None)
    if buf is None:
        buf = textpage._govinfo_buf = (ctypes.c_ushort * _BUFFER_CHARS)()
    n = _bounded_text(textpage, left, top, right, bottom, buf, _BUFFER_CHARS)
    if n >= _BUFFER_CHARS:  # more text than any table cell holds: let the helper size it
        return textpage.get_text_bounded(left=left, bottom=bottom, right=right, top=top, errors=UNDECODABLE)
    # n counts the terminating NUL; copy only the characters, not the whole buffer
    return decoded(ctypes.string_at(buf, 2 * n)).rstrip("\x00") if n > 0 else ""


def decoded(utf16: bytes) -> str:
    """pdfium's UTF-16 text, a character it cannot give as Unicode read as U+FFFD."""
    return utf16.decode("utf-16-le", errors=UNDECODABLE)


def _piece(textpage, rects, page_no: int, horizontal, vertical, page_height: float) -> Piece | None:
    """One ruled table: its grid from the ruling lines, its merged cells, their text, its rows."""
    xs = _snap([x for x, _, _ in vertical])
    ys = _snap([y for y, _, _ in horizontal])[::-1]  # top to bottom
    if len(xs) < 2 or len(ys) < 2:
        return None
    cells = _merged_cells(xs, ys, _index(vertical, xs), _index(horizontal, ys))
    lines, spans = _cell_texts(textpage, rects, xs, ys, cells)
    rows, row_spans = [], []
    for texts, span in zip(lines, spans):
        for row in _unmerge(texts):
            if any(row):
                rows.append(row)
                row_spans.append(span)
    return Piece(page=page_no, top=ys[0], bottom=ys[-1], xs=xs, rows=rows, page_height=page_height, spans=row_spans)


def _merged_cells(xs: list[float], ys: list[float], at_x, at_y) -> list[tuple[int, int, int, int]]:
    """The grid's cells as drawn, (first row, first column, last row, last column) each: two
    neighbouring atomic cells are one where no ruling line separates them (union-find).
    Listed top-left first, row by row."""
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_cols))  # atomic cell r*n_cols+c → union-find parent

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    for r in range(n_rows):
        y_mid = (ys[r] + ys[r + 1]) / 2
        for c in range(n_cols):
            i = r * n_cols + c
            # merge with the right / lower neighbour where no ruling separates them
            if c + 1 < n_cols and not _covered(at_x[c + 1], y_mid):
                union(i, i + 1)
            if r + 1 < n_rows and not _covered(at_y[r + 1], (xs[c] + xs[c + 1]) / 2):
                union(i, i + n_cols)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for i in range(n_rows * n_cols):  # row-major: a merged cell's first index is its top-left
        root = find(i)
        first.setdefault(root, i)
        last[root] = i
    return [(*divmod(i, n_cols), *divmod(last[root], n_cols)) for root, i in first.items()]


def _cell_texts(textpage, rects, xs: list[float], ys: list[float],
                cells: list[tuple[int, int, int, int]]) -> tuple[list[list[list[str]]], list[dict[int, int]]]:
    """Per grid row: each cell's text lines (at the cell's top-left place), and the merged
    cells' spans (first column → last). A cell's text is read as one; its lines one by one
    only in a row where two printed rows show in one grid row (0 over 0 read as 00)."""
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    lines: list[list[list[str]]] = [[[] for _ in range(n_cols)] for _ in range(n_rows)]
    spans: list[dict[int, int]] = [{} for _ in range(n_rows)]
    boxes: dict[tuple[int, int], tuple[float, float, float, float]] = {}
    for r0, c0, r1, c1 in cells:
        box = (xs[c0] + 0.5, ys[r1 + 1] + 0.5, xs[c1 + 1] - 0.5, ys[r0] - 0.5)  # left, bottom, right, top
        boxes[(r0, c0)] = box
        text = _text_in(textpage, *box)
        lines[r0][c0] = [text] if text.strip() else []
        if c1 > c0:
            spans[r0][c0] = c1
    for r, row in enumerate(lines):
        if any(c and c[0].strip().isdigit() and len(c[0].strip()) >= 2 and c[0].strip()[0] == "0" for c in row):
            for c, cell in enumerate(row):
                if cell:
                    lines[r][c] = _cell_lines(textpage, rects, *boxes[(r, c)])
    return lines, spans


def _page_rects(textpage) -> list[tuple[float, float, float, float]]:
    """pdfium's text rectangles of a page (one per run of text on a line), as (mid-y, left,
    right, bottom, top), sorted by mid-y: the text lines inside a cell are found from them."""
    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    box = [ctypes.c_double() for _ in range(4)]
    refs = [ctypes.byref(v) for v in box]
    out = []
    for k in range(pdfium_c.FPDFText_CountRects(raw, 0, -1)):
        pdfium_c.FPDFText_GetRect(raw, k, *refs)
        left, top, right, bottom = (v.value for v in box)
        out.append(((top + bottom) / 2, left, right, bottom, top))
    out.sort()
    return out


class _LazyRects:
    """A page's text rectangles, read the first time a cell needs them (rarely)."""

    def __init__(self, textpage):
        self.textpage, self._rects = textpage, None

    def get(self) -> list:
        if self._rects is None:
            self._rects = _page_rects(self.textpage)
        return self._rects


def _cell_lines(textpage, rects, left: float, bottom: float, right: float, top: float) -> list[str]:
    """The text lines inside a cell, top to bottom: the page's text rectangles in the box,
    grouped into bands by height, each band read on its own (a cell that holds two printed
    rows, its ruling line lost, reads as two lines; pdfium's box text would run them
    together)."""
    rects = rects.get()
    lo = bisect.bisect_left(rects, (bottom,))
    hi = bisect.bisect_right(rects, (top, float("inf")))
    bands: list[list[float]] = []
    for _, l, r, b, t in rects[lo:hi]:
        if left <= (l + r) / 2 <= right:
            bands.append([b, t])
    bands.sort(key=lambda x: -x[1])
    merged: list[list[float]] = []
    for b, t in bands:  # runs of one line overlap in height; lines do not
        if merged and min(t, merged[-1][1]) - max(b, merged[-1][0]) > 0.3 * min(t - b, merged[-1][1] - merged[-1][0]):
            merged[-1] = [min(b, merged[-1][0]), max(t, merged[-1][1])]
        else:
            merged.append([b, t])
    text = _text_in(textpage, left, bottom, right, top)
    if len(merged) < 2:
        return [text] if text.strip() else []
    lines = [_text_in(textpage, left, max(bottom, (b0 + t0) / 2 - 0.5), right, min(top, (b0 + t0) / 2 + 0.5))
             for b0, t0 in merged]
    lines = [ln for ln in lines if ln.strip()]
    # the lines must be the box's text split, nothing read twice or lost
    return lines if squash("".join(lines)) == squash(text) else [text] if text.strip() else []


_NUMBER_LINE = re.compile(r"^\s*[+\-]?\d[\d.,]*\s*$")


def _unmerge(cells: list[list[str]]) -> list[list[str]]:
    """A grid row whose ruling line to the next row was not drawn (or not found) holds two
    printed rows: every printed cell then has as many text lines, and its number cells one
    number per line. Such a row is read as that many rows; any other row as one, its lines
    joined (a label wrapped inside its cell)."""
    filled = [c for c in cells if c]
    counts = {len(c) for c in filled}
    numbers = [c for c in filled if all(_NUMBER_LINE.match(ln) for ln in c)]
    if len(counts) == 1 and (n := counts.pop()) >= 2 and len(numbers) >= 2:
        return [[squash(c[k]) if c else "" for c in cells] for k in range(n)]
    return [[c[0] if len(c) == 1 and c[0].isascii() and c[0].isdigit() else squash("".join(c)) for c in cells]]


_HEADER_STARTS = ("信息内容", "自然人", "行政复议", "结果维持", "第二十条", "申请人情况")


@functools.lru_cache(maxsize=1)
def _row_starts() -> tuple[str, ...]:
    """The labels a printed row starts with: every template's row labels (data, not a list
    kept here) and the headers' first words."""
    from ..template import templates
    from ..textnorm import squash as _sq

    return tuple(sorted({_sq(label) for t in templates() for r in t.rows for label in r.labels
                         if len(label) >= 2} | set(_HEADER_STARTS)))


def _starts_row(label: str) -> bool:
    return bool(_ENUMERATED.match(label)) or label.startswith(_row_starts())


def _is_continuation(prev: list[str], first: list[str]) -> bool:
    """Is `first` (top row of a piece) the rest of `prev` (last row of the piece before),
    split by the page break? A row of its own starts with an enumerated or known label
    somewhere; a fragment (the rest of a wrapped label, or values alone under a label
    that had none) does not."""
    labels = [c for c in first if c and not parse_number(c)[0]]
    if any(_starts_row(c) for c in labels):
        return False
    if any(a and b and parse_number(a)[0] and parse_number(b)[0] for a, b in zip(prev, first)):
        return False  # a number in the same column on both sides: two rows, not one split
    if labels:
        return True
    prev_labels = [c for c in prev if c and not parse_number(c)[0]]
    prev_values = [c for c in prev if c and parse_number(c)[0]]
    # a row label (at most its three label columns, never a header row of column names)
    # whose values were pushed to the next page
    return (0 < len(prev_labels) <= 3 and not prev_values and any(first)
            and _starts_row(prev_labels[-1]))


def _joined_ocr(a: tuple, b: tuple) -> tuple:
    """A row split by a page break, joined: as sure as its less sure half, cell by cell."""
    return (min(a[0], b[0]), a[1], tuple(min(x, y) for x, y in zip(a[2], b[2])))


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
            piece.rows, piece.spans = piece.rows[1:], piece.spans[1:]
            if piece.ocr:  # the joined row is as sure as its less sure half
                prev.ocr[-1] = _joined_ocr(prev.ocr[-1], piece.ocr[0]) if prev.ocr else piece.ocr[0]
                piece.ocr = piece.ocr[1:]
        if not same:
            table += 1
        out.append((table, piece))
    return out


def grid_rows(pieces: list[Piece]) -> list[Row]:
    """The rows of ruled tables: pieces stitched across page breaks into tables."""
    rows: list[Row] = []
    for table, piece in _stitch(pieces):
        rows.extend(Row(cells=cells, table=table, page=piece.page, grid=True, spans=spans,
                        ocr=piece.ocr[k] if piece.ocr else None)
                    for k, (cells, spans) in enumerate(zip(piece.rows, piece.spans)))  # squash did NFKC
    return rows


def _scanned(page, page_no: int, texts: list[str], pieces: list[Piece]) -> int:
    """A page without a text layer read by OCR (readers.scan): its text replaces the empty
    one, its tables join the others."""
    from . import scan

    found = scan.read_page(page, page_no)
    texts[-1] = found.text
    pieces.extend(found.pieces)
    return page_no


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
        scanned: list[int] = []
        chars = 0
        for i in range(n_pages):
            page = pdf[i]
            textpage = page.get_textpage()
            try:
                n = textpage.count_chars()
                chars += n
                text = textpage.get_text_range(errors=UNDECODABLE) if n else ""
                texts.append(text)
                if n == 0:
                    if any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])):
                        scanned.append(_scanned(page, i + 1, texts, pieces))
                    continue
                horizontal, vertical = _segments(page, pdfium_c)
                comps = _components(horizontal, vertical)
                rects = _LazyRects(textpage)
                page_pieces = [p for h, v in comps
                               if (p := _piece(textpage, rects, i + 1, h, v, page.get_height())) is not None and p.rows]
                pieces.extend(sorted(page_pieces, key=lambda p: -p.top))
                if not page_pieces:
                    unruled.append((i + 1, text))
            finally:
                textpage.close()
                page.close()
    finally:
        pdf.close()
    if chars == 0 and not scanned:
        raise RejectedDocument("PDF has no text")
    if scanned and not any(t.strip() for t in texts):
        raise RejectedDocument("image-only PDF: OCR found no text on its pages")
    pages_text = [t.replace("\r\n", "\n").replace("\r", "\n") for t in texts]
    full = nfkc("\n".join(pages_text))
    page_starts = [1]
    for t in pages_text[:-1]:
        page_starts.append(page_starts[-1] + t.count("\n") + 1)
    # OCR has no fonts: only the text layer's pages can be undecodable
    layer = nfkc("\n".join(t for k, t in enumerate(pages_text, start=1) if k not in scanned)) if scanned else full
    if layer.count("\ufffd") > max(20, len(layer) // 50):
        raise RejectedDocument("PDF text is not decodable (fonts without a Unicode map)")
    rows = grid_rows(pieces)
    doc = Document(format="pdf", text=full, rows=rows, pages=n_pages, page_starts=page_starts)
    if scanned:
        from .scan import read_by_ocr

        doc.warnings.append(read_by_ocr(f"no text layer: page{'s' if len(scanned) > 1 else ''} "
                                        f"{', '.join(map(str, scanned))}"))
    if unruled and not pieces:
        doc.warnings.append("no ruled tables: cells read from text lines, blank cells cannot be placed")
        for page_no, text in unruled:
            for row in rows_from_text(nfkc(text.replace("\r\n", "\n"))):
                row.page, row.table = page_no, row.table + 1000 * page_no
                rows.append(row)
    return doc
