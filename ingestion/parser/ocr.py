"""What a number read by OCR must pass to stand (issue 26).

OCR misreads digits, and a misread digit looks like a number the agency printed wrong. So a
number read from a scanned page (a row with `Row.ocr`) is a candidate: it stands where a
rule over it holds with its other cells read (the sum confirms the digits), or, for a cell
no rule covers, where the engine was sure (readers.scan.SURE). Where the arithmetic pins a
cell down, two independent rules agreeing on one value that differs from the recognised
text by one character, the cell is corrected and the correction recorded. Any other is
null and uncertain, so a rule over it is extraction doubt, never the agency's finding. Each
OCR cell's provenance says which way it went (`checked`).
"""
from __future__ import annotations

from .mapper import CellMap
from .rules import passes, sides
from .template import Check

CONFIRMED = "confirmed by the arithmetic"
SURE_UNRULED = "recognised with high confidence; no rule covers it"
LEFT_NULL = "not confirmed: left null"


def gate(cm: CellMap) -> None:
    from .readers.scan import SURE

    read = {f for f, p in cm.provenance.items() if "ocr" in p and cm.cells.get(f) is not None}
    if not read:
        return
    checks = cm.template.checks()
    ruled = {f for c in checks for f in c.fields}
    confirmed = _confirmed(cm, checks)
    for f in sorted(read):
        ocr = cm.provenance[f]["ocr"]
        if f in confirmed:
            ocr["checked"] = CONFIRMED
        elif f not in ruled and ocr["confidence"] >= SURE:
            ocr["checked"] = SURE_UNRULED
        else:
            ocr["checked"] = LEFT_NULL
            why = "no rule over it holds" if f in ruled else f"recognised with confidence {ocr['confidence']}"
            cm.uncertain[f] = f"read by OCR and not confirmed by the arithmetic ({why})"
            cm.cells[f] = None
    corrected = _correct(cm, checks, read, confirmed)
    if read & confirmed or corrected:
        cm.verified.append(f"{len(read & confirmed)} cells read by OCR confirmed by the template's arithmetic"
                           + (f", {corrected} corrected by it" if corrected else ""))


def _confirmed(cm: CellMap, checks: tuple[Check, ...]) -> set[str]:
    """Cells of a rule that holds with none of its cells in doubt."""
    doubtful = cm.doubtful
    out: set[str] = set()
    for c in checks:
        if not set(c.fields) & doubtful and passes(c, cm.cells):
            out.update(c.fields)
    return out


def _correct(cm: CellMap, checks: tuple[Check, ...], read: set[str], confirmed: set[str]) -> int:
    """Null OCR cells the arithmetic pins down: every other cell of two of its rules is
    known (confirmed, or read without OCR and without doubt), both rules give the same value,
    and that value differs from what was recognised by one character (a misread digit, not
    a different number). Repeated while a correction makes another cell known."""
    known = set(confirmed) | {f for f in cm.cells if f not in read and f not in cm.uncertain and f not in cm.flagged}
    corrected = 0
    changed = True
    while changed:
        changed = False
        for f in sorted(f for f in read if cm.cells.get(f) is None and f in cm.uncertain):
            value = _pinned(f, cm, checks, known)
            printed = cm.provenance[f].get("printed", "")
            if value is None or not _one_edit(printed, str(value)):
                continue
            cm.cells[f] = value
            del cm.uncertain[f]
            cm.provenance[f]["ocr"]["checked"] = f"corrected by the arithmetic (recognised {printed!r})"
            known.add(f)
            corrected += 1
            changed = True
    return corrected


def _pinned(f: str, cm: CellMap, checks: tuple[Check, ...], known: set[str]) -> int | None:
    """The value two of f's rules, their other cells known, agree f must have; else None."""
    values = []
    for c in checks:
        if f in c.fields and c.fields.count(f) == 1 and all(g in known for g in c.fields if g != f):
            expected, actual = sides(c, {**cm.cells, f: 0})
            value = actual - expected if f in c.expected else expected - actual
            values.append(value)
    if len(values) < 2 or any(v != values[0] for v in values) or values[0] < 0 or values[0] != int(values[0]):
        return None
    return int(values[0])


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one character replaced, added or dropped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))
