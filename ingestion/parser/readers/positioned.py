"""Text laid out by position: runs of text, each with its page, its top-left corner and its
font size (what a PDF-to-HTML converter writes as absolutely positioned elements), rebuilt
into lines the text readers can read.

Runs whose tops are within a fraction of their font size stand on one line; a line's runs
are joined left to right, with two spaces where a gap between them is wider than a
character (a column gap), so a table row comes out as `pdftotext -layout` prints it: the
label, then its values separated by spaces. Nothing is read from the order the runs come
in, which converters choose as they please.
"""
from __future__ import annotations

from dataclasses import dataclass

SAME_LINE = 0.45  # runs whose tops differ by less than this share of the font size are one line
COLUMN_GAP = 0.6  # a gap wider than this share of the font size separates two cells


@dataclass(frozen=True)
class Run:
    page: int
    top: float  # y of the run's top edge, growing down the page
    left: float
    size: float  # font size, in the same unit as top and left
    text: str


NUMBER_GAP = 1.5  # a number's pieces in two fonts (368 / . / 69) closer than this are one number


def _width(text: str, size: float) -> float:
    """The run's width, estimated from its characters as printed: a CJK or full-width
    character is about as wide as the font is high, a digit or Latin letter about half
    (converters do not always give the width)."""
    return sum(size if ord(ch) >= 0x2E80 else 0.55 * size for ch in text)


def _one_number(left: str, right: str, gap: float, size: float) -> bool:
    """A number set in two fonts (the point in another font than the digits) comes as two
    runs side by side: 368 and .69 are one number, never two cells."""
    a, b = left.rstrip()[-1:], right.lstrip()[:1]
    return gap < NUMBER_GAP * size and ((a.isdigit() and b in ".．") or (a in ".．" and b.isdigit()))


def _line_text(line: list[Run]) -> str:
    out: list[str] = []
    right, last = None, ""
    for run in sorted(line, key=lambda r: r.left):
        if right is not None:
            gap = run.left - right
            out.append("" if _one_number(last, run.text, gap, run.size) else
                       "  " if gap > COLUMN_GAP * run.size else " " if gap > 0 else "")
        out.append(run.text)
        right, last = max(right or 0.0, run.left + _width(run.text, run.size)), run.text
    return "".join(out).strip()


def lines(runs: list[Run]) -> list[str]:
    """The runs as lines of text, page by page, top to bottom; a form feed between pages."""
    out: list[str] = []
    pages = sorted({r.page for r in runs})
    for n, page in enumerate(pages):
        if n:
            out.append("\f")
        current: list[Run] = []
        for run in sorted((r for r in runs if r.page == page and r.text.strip()), key=lambda r: (r.top, r.left)):
            if current and run.top - current[0].top > SAME_LINE * min(run.size, current[0].size):
                out.append(_line_text(current))
                current = []
            current.append(run)
        if current:
            out.append(_line_text(current))
    return out
