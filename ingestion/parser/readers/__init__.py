"""Readers: one per published format, each returning an `ingestion.document.Document`.

`read_document` sniffs the bytes (never trusts the extension alone), enforces the size
limits (the file's bytes here, its text in `bounds`) and dispatches. A reader raises
`RejectedDocument` with a one-line reason for input it cannot read.
"""
from __future__ import annotations

from pathlib import Path

from ..document import Document, RejectedDocument
from . import text as text_reader
from .bounds import check_length, check_rows

MAX_BYTES = 64 * 1024 * 1024  # no real report is near this; larger input is refused unread


def sniff(data: bytes, suffix: str) -> str:
    """The format by the file's first bytes (the extension only for HTML, which has none).
    Anything else goes to the text reader, which names what it is not: binary data, a text
    in no encoding it knows, garbled text (`readers.text.decode`, `text.read`)."""
    head = data[:8]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    low = data[:2048].lower()
    if suffix in {".htm", ".html"} or b"<html" in low or b"<!doctype html" in low:
        return "html"
    return "txt"


def read_document(path: Path) -> tuple[Document, bytes]:
    """Read one file; returns the document and the raw bytes (for hashing)."""
    path = Path(path)
    if not path.is_file():
        raise RejectedDocument(f"not a file: {path}")
    size = path.stat().st_size
    if size == 0:
        raise RejectedDocument("empty file")
    if size > MAX_BYTES:
        raise RejectedDocument(f"file too large ({size} bytes; limit {MAX_BYTES})")
    data = path.read_bytes()
    fmt = sniff(data, path.suffix.lower())
    return read_bytes(data, fmt), data


def read_bytes(data: bytes, fmt: str) -> Document:
    """Dispatch to the format's reader; imports are lazy so plain text never pays for lxml,
    python-docx or pdfium. The text and HTML readers check the text's length before they
    read it; every document's text and rows are checked once read (a DOCX or PDF holds no
    more than a text may)."""
    doc = _read(data, fmt)
    check_length(doc.text)
    check_rows(doc)
    return doc


def _read(data: bytes, fmt: str) -> Document:
    if fmt == "txt":
        return text_reader.read(data)
    if fmt == "html":
        from . import html
        return html.read(data)
    if fmt == "docx":
        from . import docx
        return docx.read(data)
    if fmt == "doc":
        from . import doc
        return doc.read(data)
    if fmt == "pdf":
        from . import pdf
        return pdf.read(data)
    raise RejectedDocument(f"unsupported format {fmt}")
