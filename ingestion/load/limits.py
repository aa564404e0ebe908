"""Hard limits a parsed report must keep to enter the warehouse's staging tables.

One home for them: the loader quarantines a document that breaks one (by itself, with the
reason), and the staging suites (expectations/suites.py) check the same limits as ERRORs —
so a blocking check can only fail for a fault of the pipeline, never because one agency
printed an implausible number. A limit is about the type, range or length of a value, not
about the report's arithmetic (rule findings are the agency's, and are published).
"""
from __future__ import annotations

import math

from ..parser.mapper import TRUNCATED
from ..parser.meta import SPAM_MARK
from ..parser.spec import all_fields
from ..parser.values import (
    MAX_COUNT,  # no agency receives ten million requests a year (the parser flags more)
)

AGENCY_NAME_LENGTH = (2, 60)  # characters: 乡 … 中华人民共和国国家发展和改革委员会 and longer real names
FIRST_YEAR = 2008  # the 条例 took effect in 2008 (an earlier year is a published finding, not a limit)


def breaches(result: dict) -> list[str]:
    """What in one `govinfo parse` result breaks a hard limit (empty: it may be loaded)."""
    out = []
    signed = {f.field for f in all_fields() if f.unit == "signed_count"}
    for fld, value in sorted(result.get("cells", {}).items()):
        if value is None:
            continue
        if not isinstance(value, (int, float)) or math.isnan(value):
            out.append(f"{fld} = {value!r} is not a number")
        elif not (-MAX_COUNT if fld in signed else 0) <= value <= MAX_COUNT:
            out.append(f"{fld} = {value:,} is out of range (at most {MAX_COUNT:,})")
    name = result.get("agency") or ""
    low, high = AGENCY_NAME_LENGTH
    if not low <= len(name) <= high:
        out.append(f"agency name of {len(name)} characters (allowed {low} to {high}): {name[:40]!r}…")
    elif SPAM_MARK.search(name):
        out.append(f"agency name holds spam text: {name!r}")
    if not isinstance(result.get("year"), int):
        out.append(f"year {result.get('year')!r} is not a whole number")
    return out


def incomplete(result: dict) -> str | None:
    """Why a parsed copy is not the whole report (it ends before its tables do: a copy that
    stalled, a partial download), or None. Such a copy is never loaded, not even with its
    cells uncertain: its numbers are the first part of a table, and a later copy of the whole
    file is another document that is loaded in its place."""
    for note in result.get("extraction", {}).get("uncertain", []):
        if note.startswith(TRUNCATED):
            return f"incomplete: {note[len(TRUNCATED):]}; land the whole file again"
    return None


def reason(result: dict) -> str:
    """One line: the first breaches, and how many more."""
    found = breaches(result)
    shown = "; ".join(found[:3]) + (f"; and {len(found) - 3} more" if len(found) > 3 else "")
    return f"hard limit broken: {shown}"
