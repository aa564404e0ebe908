"""The intermediate structure every reader produces and the cell mapper consumes.

A reader (text, PDF, DOCX, HTML…) turns a file into a `Document`: the plain text (for
agency, year and prose) and the table rows, each a list of printed cell strings in
reading order with where they came from. The mapper never sees the file format.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class RejectedDocument(Exception):
    """The file cannot be read as an annual report; the message is one line for humans."""


class TransientReadError(Exception):
    """Reading failed for a reason that may pass (a converter timed out or could not start,
    a file was locked): retry later rather than quarantine the file."""


@dataclass
class Row:
    cells: list[str]
    table: int  # index of the table (or table piece) this row belongs to, in document order
    page: int | None = None  # 1-based page for paged formats
    line: int | None = None  # 1-based first source line for text formats
    # the cells stand in the table's grid columns (DOCX, HTML, ruled PDF): a cell's index is
    # its column, so header positions apply; text rows may or may not line up
    grid: bool = False
    # grid rows: index of a cell spanning several columns → index of the last it covers
    spans: dict[int, int] = field(default_factory=dict)
    # text rows: label lines printed just above (nearest last) and below (nearest first) —
    # a label wrapped over lines, a heading over a table of values without labels
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    # what puts the row's values with its label: "cell" (delimited cells: a grid, pipes,
    # TABs, one cell per line), "line" (label and values on one line of text, separated by
    # spaces or nothing), "order" (values on the lines after their label, grouped by reading
    # order alone: no delimiter says where the row ends, so its sums must confirm it)
    paired: str = "cell"
    # a row read by OCR from a scanned page: the lowest confidence of its numbers, its box
    # (left, top, right, bottom, pixels at readers.scan.DPI) and each cell's confidence; its
    # numbers are candidates until the arithmetic confirms them (parser/ocr.py)
    ocr: tuple[float, tuple[int, int, int, int], tuple[float, ...]] | None = None


@dataclass
class Document:
    format: str
    text: str  # whole document as plain text, tables included
    rows: list[Row] = field(default_factory=list)
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)
    # what the page says about itself outside the report text (HTML 发布机构 …)
    hints: dict[str, str] = field(default_factory=dict)
    # paged formats: the 1-based line of `text` each page starts at (prose statements' pages)
    page_starts: list[int] = field(default_factory=list)
