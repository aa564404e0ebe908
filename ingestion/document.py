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
    table: int  # index of the table this row belongs to, in document order
    page: int | None = None  # 1-based page for paged formats
    line: int | None = None  # 1-based first source line for text formats


@dataclass
class Document:
    format: str
    text: str  # whole document as plain text, tables included
    rows: list[Row] = field(default_factory=list)
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)
    # what the page says about itself outside the report text (HTML 发布机构 …)
    hints: dict[str, str] = field(default_factory=dict)
