"""How much a document may hold, and the one-line reason when it holds more.

The parser's work grows with what it reads: the rows of a text (~0.25 s per MB), each
row's label compared with every template row, the aligner's dynamic programme and the
account it keeps (~2 s and ~75 MB per MB of report tables; ~0.4 ms per row whose label is
like no template row's). The file-size limit (`readers.MAX_BYTES`, 64 MB) does not bound
that: 64 MB of plain text is ~18,000 reports, minutes and gigabytes to map. The real
reports we have are at most ~11,400 characters of text (a 111 KB HTML page, site around
it included) and ~250 rows (85 with numbers). So:

- `MAX_TEXT_CHARS`, 1,000,000 characters of a document's text (a plain text as decoded,
  checked before it is read into rows; an HTML page's, a DOCX's or a PDF's text once
  extracted): ~90 times the longest real report.
- `MAX_MARKUP_CHARS`, 8,000,000 characters of an HTML page, checked before lxml parses it:
  lxml's tree costs ~15 bytes per character of markup (44 M characters: 640 MB, 1.6 s),
  and markup (tables, styles, inline scripts) runs to several times the page's text.
- `MAX_ROWS`, 10,000 table rows once read: 40 times the longest real report, room for an
  appendix that lists documents in a table. 10,000 rows of junk inside a report (each
  "unrecognised") are mapped in ~4 s and ~180 MB; 45,000 of them fit in the character
  limit and would take ~20 s.

A 64 MB text is refused in ~0.2 s (decoding it) and ~120 MB. When the text prints many
section-三 tables the reason says so: a bulk export of many reports is the usual cause.
"""
from __future__ import annotations

from ..document import Document, RejectedDocument

MAX_TEXT_CHARS = 1_000_000
MAX_MARKUP_CHARS = 8_000_000
MAX_ROWS = 10_000
# labels every section-三 table prints once (a cheap count, not a reading: a label broken
# over lines or misspelt is missed)
_TABLE_MARKS = ("本年新收政府信息公开申请数量", "结转下年度继续办理")


def _many(text: str) -> str:
    tables = max(text.count(mark) for mark in _TABLE_MARKS)
    return f": it prints {tables:,} section 三 tables; split it into one file per report" if tables > 1 else ""


def check_length(text: str, what: str = "text", limit: int = MAX_TEXT_CHARS) -> None:
    """Refuse `text` when it is longer than `limit` characters."""
    if len(text) > limit:
        raise RejectedDocument(f"{what} too long ({len(text):,} characters; limit {limit:,}){_many(text)}")


def check_rows(doc: Document) -> None:
    """Refuse a document of more than `MAX_ROWS` table rows."""
    if len(doc.rows) > MAX_ROWS:
        raise RejectedDocument(f"too many table rows ({len(doc.rows):,}; limit {MAX_ROWS:,}){_many(doc.text)}")
