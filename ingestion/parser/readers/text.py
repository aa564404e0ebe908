"""Plain-text reports: the shapes text exports of these reports take.

Three table shapes occur (see the shared seeds): one cell per line (Word export: each cell
a line starting with a TAB, rows separated by blank lines, wrapped labels continuing on
lines without a TAB), TAB-separated rows (PDF text extraction), and pipe-separated rows
(HTML to text). Everything is NFKC-normalised on the way in.
"""
from __future__ import annotations

from ..document import Document, RejectedDocument, Row
from ..textnorm import nfkc, parse_number


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (covers GBK and GB2312)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RejectedDocument(f"undecodable UTF-16 text ({exc.reason})") from None
    if b"\x00" in data[:4096]:
        raise RejectedDocument("binary data, not a text, PDF, DOCX, DOC or HTML document")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise RejectedDocument("undecodable text: neither UTF-8 nor GB18030")


def _split(line: str) -> tuple[str, list[str]]:
    """Classify a line: ('blank'|'pipe'|'tabrow'|'cell'|'text', cells)."""
    if "\t" not in line and line.strip(" \u3000\r") == "":
        return "blank", []
    if "|" in line:
        return "pipe", [c.strip() for c in line.split("|")]
    tabs = line.count("\t")
    if tabs >= 2 or (tabs == 1 and not line.startswith("\t")):
        return "tabrow", [c.strip() for c in line.split("\t")]
    if tabs == 1:
        return "cell", [line[1:].strip()]
    return "text", [line.strip()]


def rows_from_text(text: str) -> list[Row]:
    rows: list[Row] = []
    table = -1
    after_prose = True
    group: list[str] | None = None
    group_line = 0

    def emit(cells: list[str], line_no: int) -> None:
        nonlocal table, after_prose
        if after_prose:
            table += 1
            after_prose = False
        rows.append(Row(cells=cells, table=table, line=line_no))

    def close_group() -> None:
        nonlocal group
        if group is not None:
            emit(group, group_line)
            group = None

    for n, line in enumerate(text.splitlines(), start=1):
        kind, cells = _split(line)
        if kind == "cell":
            if group is None:
                group, group_line = [], n
            group.append(cells[0])
            continue
        if kind == "text" and group:
            # a wrapped cell: Word exports the rest of a cell on a line without a TAB
            if parse_number(group[-1])[1] is None:  # a number is never continued
                group[-1] += cells[0]
                continue
        close_group()
        if kind in ("pipe", "tabrow"):
            if any(cells):
                emit(cells, n)
        elif kind == "text":
            after_prose = True
    close_group()
    return rows


def read(data: bytes) -> Document:
    text = nfkc(decode(data)).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise RejectedDocument("empty document (no text)")
    bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n"))
    if bad > max(20, len(text) // 100):
        raise RejectedDocument("text is garbled (too many undecodable or control characters)")
    return Document(format="txt", text=text, rows=rows_from_text(text))
