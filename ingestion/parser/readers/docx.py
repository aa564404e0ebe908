"""DOCX (python-docx's element tree): paragraphs and tables in body order.

Merges are read from the XML, not from python-docx's `row.cells` (which repeats a merged
cell in every position it covers): gridSpan gives the covered columns, vMerge="continue"
marks a cell covered from above, gridBefore leading empty columns.

A zip bomb is refused before python-docx inflates anything, by what the archive really
inflates to, not by what its headers declare: a header may lie (zipfile trusts the declared
size until its CRC check at the end, and inflates a bzip2 or LZMA member in one call,
whatever it grows to). Each part is inflated here from its raw deflate stream, a chunk at a
time, counting the bytes, and refused as soon as it passes a limit.
"""
from __future__ import annotations

import io
import zipfile
import zlib

from ..document import Document, RejectedDocument, Row
from ..textnorm import nfkc

# Limits on what the archive inflates to, counted as it inflates. A report's DOCX is a few
# hundred KB (document.xml of a long report ~1-5 MB; images inflate about 1:1), so:
MAX_INFLATED = 256 * 1024 * 1024  # all parts together (python-docx holds them all in memory)
# one XML part: python-docx parses it into a tree of ~10x its size; 32 MB of XML is far
# more text than the 1,000,000 characters a report may hold (readers.MAX_TEXT_CHARS)
MAX_XML_PART = 32 * 1024 * 1024
MAX_RATIO = 200  # a real DOCX part compresses ~10:1; zip bombs 1000:1 and more
_BOMB_MIN = 10 << 20  # a part this large that compresses past MAX_RATIO is a bomb
# the central directory is parsed into one object per entry before anything is checked
# (1.3 M entries fit in 64 MB and cost 600 MB and 11 s to open): Word writes tens
MAX_PARTS = 10_000
_CHUNK = 1 << 20
_LOCAL_HEADER = 30  # fixed part of a local file header; then the name and the extra field

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _entries(data: bytes) -> int:
    """How many entries the archive's end record declares (its central directory is not
    read: that is what a huge one would cost)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - (1 << 16) - 22))
    if end < 0 or end + 22 > len(data):
        raise RejectedDocument("corrupt or truncated DOCX (not a readable zip archive)")
    entries = int.from_bytes(data[end + 10:end + 12], "little")
    cd_size = int.from_bytes(data[end + 12:end + 16], "little")
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:  # zip64: the count is in the zip64 record
        z64 = data.rfind(b"PK\x06\x06", 0, end)
        if z64 >= 0 and z64 + 56 <= len(data):
            return int.from_bytes(data[z64 + 32:z64 + 40], "little")
    return max(entries, cd_size // 46)  # 46 bytes: the smallest central directory entry


def _inflated(data: bytes, info: zipfile.ZipInfo, limit: int, what: str) -> int:
    """The bytes the part really inflates to, counted a chunk at a time from the bytes
    zipfile would read for it (its declared compressed size from its local header on);
    RejectedDocument as soon as they pass `limit` (`what` says which limit that is)."""
    at = info.header_offset
    head = data[at:at + _LOCAL_HEADER]
    if len(head) < _LOCAL_HEADER or head[:4] != b"PK\x03\x04":
        raise RejectedDocument(f"corrupt DOCX (no local header for {info.filename})")
    start = at + _LOCAL_HEADER + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
    raw = memoryview(data)[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        size = len(raw)
        if size > limit:
            raise RejectedDocument(f"DOCX part {info.filename}: {what}")
        return size
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    size, pos = 0, 0
    try:
        while not inflate.eof:
            if inflate.unconsumed_tail:
                chunk = inflate.unconsumed_tail
            elif pos < len(raw):
                chunk, pos = raw[pos:pos + _CHUNK], pos + _CHUNK
            else:
                break  # the stream ends early: zipfile will say the part is corrupt
            size += len(inflate.decompress(chunk, _CHUNK))
            if size > limit:
                ratio = size // max(1, min(pos, len(raw)) - len(inflate.unconsumed_tail))
                if size > _BOMB_MIN and ratio > MAX_RATIO:
                    raise RejectedDocument(f"zip bomb: {info.filename} inflates {ratio}:1 ({what}; its header "
                                           f"says {info.file_size} bytes)")
                raise RejectedDocument(f"DOCX part {info.filename}: {what} (its header says {info.file_size} bytes)")
    except zlib.error:
        raise RejectedDocument(f"corrupt DOCX (bad deflate data in {info.filename})") from None
    return size


def check_zip(data: bytes) -> None:
    if _entries(data) > MAX_PARTS:
        raise RejectedDocument(f"zip archive with more than {MAX_PARTS} parts: not a Word document")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise RejectedDocument("corrupt or truncated DOCX (not a readable zip archive)") from None
    with zf:
        infos = zf.infolist()
        if "word/document.xml" not in {i.filename for i in infos}:
            raise RejectedDocument("zip archive is not a Word document (no word/document.xml)")
        for info in infos:  # what the headers declare: a bomb that says so costs nothing to refuse
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > _BOMB_MIN:
                raise RejectedDocument(f"zip bomb: {info.filename} inflates {info.file_size // info.compress_size}:1")
            if info.flag_bits & 0x1:
                raise RejectedDocument(f"encrypted DOCX part {info.filename}")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise RejectedDocument(f"DOCX part {info.filename} compressed with zip method {info.compress_type} "
                                       "(Word writes only deflate)")
        total = 0
        for info in infos:  # what they really inflate to
            room = MAX_INFLATED - total
            if info.filename.endswith((".xml", ".rels")) and MAX_XML_PART < room:
                total += _inflated(data, info, MAX_XML_PART, f"an XML part inflates past {MAX_XML_PART} bytes")
            else:
                total += _inflated(data, info, room, f"the DOCX inflates past {MAX_INFLATED} bytes in all")


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
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except Exception as exc:  # noqa: BLE001 (python-docx raises many kinds on a damaged package)
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
    doc = Document(format=fmt, text=nfkc("\n".join(lines)), rows=rows)
    if not rows and (pictures := _pictures(body, document.part)):
        _read_pictures(doc, pictures)
    if not doc.text.strip():
        raise RejectedDocument("DOCX has no text")
    return doc


def _pictures(body, part) -> list[bytes]:
    """The pictures of the document body, in order (a scan pasted page by page)."""
    out = []
    for blip in body.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"):
        rid = blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
        target = part.related_parts.get(rid) if rid else None
        if target is not None and getattr(target, "blob", None):
            out.append(target.blob)
    return out


def _read_pictures(doc: Document, pictures: list[bytes]) -> None:
    """A Word file of page pictures and no table: its pages read by OCR (readers.scan)."""
    from . import scan
    from .pdf import grid_rows

    texts, pieces = scan.read_pictures(pictures)
    doc.rows = grid_rows(pieces)
    doc.text = nfkc("\n".join([doc.text, *texts]))
    doc.pages = len(texts)
    doc.warnings.append(scan.read_by_ocr(f"{len(texts)} picture(s) of pages and no table"))
