"""DOCX (python-docx's element tree): paragraphs and tables in body order.

Merges are read from the XML, not from python-docx's `row.cells` (which repeats a merged
cell in every position it covers): gridSpan gives the covered columns, vMerge="continue"
marks a cell covered from above, gridBefore leading empty columns. A zip that would
inflate past the limit is refused before anything is decompressed.
"""
from __future__ import annotations

import io
import zipfile

from ..document import Document, RejectedDocument, Row
from ..textnorm import nfkc

MAX_INFLATED = 256 * 1024 * 1024
MAX_RATIO = 200  # a real DOCX part compresses ~10:1; zip bombs 1000:1 and more

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_zip(data: bytes) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise RejectedDocument("corrupt or truncated DOCX (not a readable zip archive)") from None
    with zf:
        names = set(zf.namelist())
        if "word/document.xml" not in names:
            raise RejectedDocument("zip archive is not a Word document (no word/document.xml)")
        total = 0
        for info in zf.infolist():
            total += info.file_size
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10 << 20:
                raise RejectedDocument(f"zip bomb: {info.filename} inflates {info.file_size // info.compress_size}:1")
        if total > MAX_INFLATED:
            raise RejectedDocument(f"DOCX inflates to {total} bytes (limit {MAX_INFLATED})")


def _para_text(p) -> str:
    return "".join((t.text or "") if t.tag == f"{W}t" else "\t" if t.tag == f"{W}tab" else "\n"
                   for t in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"))


def _cell_text(tc) -> str:
    # only the cell's own paragraphs (a nested table is read as its own table)
    return "".join(_para_text(p) for p in tc.findall(f"{W}p"))


def _val(el, tag: str) -> str | None:
    found = el.find(f"{W}tcPr/{W}{tag}") if tag in ("gridSpan", "vMerge") else el.find(f"{W}trPr/{W}{tag}")
    if found is None:
        return None
    return found.get(f"{W}val", "continue" if tag == "vMerge" else None)


SLIVER_TWIPS = 40  # grid columns narrower than ~0.7 mm are layout artefacts, not columns


def _table_rows(tbl, index: int) -> list[Row]:
    widths = [int(gc.get(f"{W}w", "1000") or 1000) for gc in tbl.findall(f"{W}tblGrid/{W}gridCol")]

    def real_columns(start: int, span: int) -> int:
        """How many non-sliver grid columns [start, start+span) covers."""
        if not widths:
            return span
        return sum(1 for w in widths[start:start + span] if w >= SLIVER_TWIPS) if start + span <= len(widths) else span

    rows = []
    for tr in tbl.findall(f"{W}tr"):
        col = int(_val(tr, "gridBefore") or 0)
        cells = [""] * real_columns(0, col)
        spans: dict[int, int] = {}
        for tc in tr.findall(f"{W}tc"):
            span = int(_val(tc, "gridSpan") or 1)
            n = real_columns(col, span)
            text = "" if _val(tc, "vMerge") == "continue" else _cell_text(tc).strip()
            if n:
                if n > 1:
                    spans[len(cells)] = len(cells) + n - 1
                cells.extend([text] + [""] * (n - 1))
            elif text:  # text in a sliver: keep it with the cell before
                cells[-1:] = [(cells[-1] if cells else "") + text]
            col += span
        if any(cells):
            rows.append(Row(cells=[nfkc(c) for c in cells], table=index, grid=True, spans=spans))
    return rows


def read(data: bytes, fmt: str = "docx") -> Document:
    check_zip(data)
    import docx  # python-docx: imported here, the text path never needs it

    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except Exception as exc:  # python-docx raises many kinds on a damaged package
        raise RejectedDocument(f"corrupt DOCX ({type(exc).__name__})") from None
    lines: list[str] = []
    rows: list[Row] = []
    tables = 0
    for el in body.iterchildren():
        if el.tag == f"{W}p":
            lines.append(_para_text(el))
        elif el.tag == f"{W}tbl":
            for tbl in el.iter(f"{W}tbl"):  # the table, then any nested in its cells
                table_rows = _table_rows(tbl, tables)
                tables += 1
                rows.extend(table_rows)
                lines.extend("\t".join(r.cells) for r in table_rows)
    text = nfkc("\n".join(lines))
    if not text.strip():
        raise RejectedDocument("DOCX has no text")
    return Document(format=fmt, text=text, rows=rows)
