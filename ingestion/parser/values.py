"""One printed value cell → a number, a blank, or a flag, by what its column holds.

A cell is a value because of where it stands in the template, not because it parses: the
mapper decides the position, this module reads what is printed there. Counts are whole
numbers from 0 to MAX_COUNT; 本年增/减 may carry a sign; amounts may have decimals. A unit
that fits the column (5件, 3.5万元) is read with a note; a placeholder for "nothing" (-, /,
无) is a blank with a note; anything else (约5, （5）, N/A, -5 in a count, 1e30) is
flagged: the cell stays null and the document says which cell and why.

`looks_like_value` is the weaker test the readers and the mapper use to tell a value cell
from a label where no grid says which is which: it admits everything `read` would read or
flag as a value, so a flagged value keeps its place and never shifts its neighbours.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .textnorm import short_cache, squash, strip_artefacts

MAX_COUNT = 10_000_000  # more requests or decisions than any agency handles in a year
MAX_AMOUNT = 10_000_000  # 万元 or 元 as printed

BLANK_MARKS = frozenset({"-", "--", "—", "——", "/", "\\", "无", "空", "－", "–", "—-", "/ "})
# printed where a number should be, read as nothing but flagged (not a blank: it says something)
PLACEHOLDERS = frozenset({"N/A", "NA", "n/a", "na", "不适用", "暂无", "×", "x", "X", "*", "?", "？", "略", "不详"})
_UNITS = {"count": "件个条项次人份起", "signed_count": "件个条项次人份起", "amount": "", "money": ""}
_MONEY_UNITS = ("万元", "元")
# U+FFFD among digits: a character the reader could not decode (pdfium's lone surrogate): a
# value cell that lost a digit, kept in its column and flagged, never read as another number
_VALUE_LIKE = re.compile(r"^(约|近|共|计|合计|全年)?[(（\[]?[+\-−–]?[\d\ufffd][\d,，\ufffd]*(\.\d+)?([eE][+\-]?\d+)?[)）\]]?"
                         r"(件|个|条|项|次|人|份|起|万元|元|余|多)?$")
_PLAIN = re.compile(r"^(0|[1-9]\d*)$")  # a count is never printed with a leading zero
_DECIMAL = re.compile(r"^(0|[1-9]\d*)\.\d+$")
_SIGNED = re.compile(r"^[+\-−–]\d+$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class Value:
    value: int | float | None
    status: str  # number | blank | flag
    note: str | None = None

    @property
    def flagged(self) -> bool:
        return self.status == "flag"


def clean(text: str) -> str:
    return squash(strip_artefacts(text or ""))


@short_cache(maxsize=1 << 16)
def looks_like_value(text: str) -> bool:
    s = clean(text)
    return s == "" or s in BLANK_MARKS or s in PLACEHOLDERS or bool(_VALUE_LIKE.match(s))


MAX_DIGITS = 40  # longer than any value a report prints (and than int() converts without a limit)


def _number(s: str, kind: str) -> int | float | None:
    if len(s) > MAX_DIGITS:
        return None  # flagged where it stands: not a value of this column
    if _PLAIN.match(s):
        return int(s)
    if kind in ("amount", "money") and _DECIMAL.match(s):
        return float(s)
    if kind == "signed_count" and _SIGNED.match(s):
        return int(s.replace("−", "-").replace("–", "-"))
    return None


@short_cache(maxsize=1 << 16)
def read(text: str, kind: str = "count") -> Value:
    s = clean(text)
    if s == "":
        return Value(None, "blank")
    if s in BLANK_MARKS:
        return Value(None, "blank", f"printed {s!r}: read as blank")
    note = None
    if _THOUSANDS.match(s):
        s, note = s.replace(",", ""), "thousands separators"
    unit = next((u for u in _MONEY_UNITS if kind == "money" and s.endswith(u)), None)
    if unit is None and kind == "amount" and s.endswith("万元"):
        unit = "万元"
    if unit is None and s and s[-1] in _UNITS[kind]:
        unit = s[-1]
    if unit:
        s = s[: -len(unit)]
        note = f"unit {unit} printed"
    value = _number(s, kind)
    if value is None:
        return Value(None, "flag", f"printed {clean(text)!r}: not a {kind.replace('_', ' ')}")
    limit = MAX_AMOUNT if kind in ("amount", "money") else MAX_COUNT
    if abs(value) > limit:
        return Value(None, "flag", f"printed {clean(text)!r}: beyond {limit:,}")
    return Value(value, "number", note)
