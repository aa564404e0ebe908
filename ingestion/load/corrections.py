"""Reviewers' corrections and confirmations: data, kept beside the warehouse, never edits in place.

`<warehouse dir>/corrections/corrections.csv` is a plain CSV that people diff, review and
edit by hand; `govinfo review set|confirm|printed` append to it. Each row is one decision
about one document (by sha256):

- `correct`: the cell's value is `value` (the parser read `parser_value`, or nothing);
- `confirm`: the value the parser read with doubt is right;
- `printed_as_is`: a rule finding (`rule`, `subject`) is how the agency printed its report:
  its own error, kept and marked, no longer alerted.

Rows are only ever added: a later row about the same cell or finding wins, and the earlier
ones stay as its history (who, when, why). The load step copies the file into
`raw.corrections`; the marts apply it (dbt: stg_raw__corrections). Neither the parse store
nor the raw bytes ever change. A bad row stops the load with one line naming it.
"""
from __future__ import annotations

import csv
import io
import math
import os
import re
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

ACTIONS = ("correct", "confirm", "printed_as_is")
FILE_NAME = "corrections.csv"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class CorrectionsInvalid(ValueError):
    """One line: which row of the corrections file is wrong, and how."""


@dataclass(frozen=True)
class Correction:
    document_id: str
    action: str
    field: str = ""  # correct, confirm
    value: str = ""  # correct: the number
    rule: str = ""  # printed_as_is
    subject: str = ""  # printed_as_is
    parser_value: str = ""  # what the parser had read (blank: nothing, or not a cell)
    who: str = ""
    at: str = ""  # ISO time (UTC)
    why: str = ""


COLUMNS = tuple(f.name for f in fields(Correction))
SCHEMA = {**{c: pl.String for c in COLUMNS}, "value": pl.Float64, "parser_value": pl.Float64, "line": pl.Int32}


def path_of(root: Path) -> Path:
    return Path(root) / FILE_NAME


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} {text!r} is not a finite number")
    return value


def check(c: Correction, known_fields: set[str]) -> None:
    """Raise ValueError saying what is wrong with one correction."""
    if not _SHA256.fullmatch(c.document_id):
        raise ValueError(f"document_id {c.document_id!r} is not a sha256 (64 hex digits)")
    if c.action not in ACTIONS:
        raise ValueError(f"action {c.action!r} is none of {', '.join(ACTIONS)}")
    if c.action == "printed_as_is":
        if not c.rule or not c.subject:
            raise ValueError("printed_as_is needs the finding's rule and subject")
    elif c.field not in known_fields:
        raise ValueError(f"field {c.field!r} is no cell of the contract (ingestion/parser/data/fields.csv)")
    if c.action == "correct":
        _number(c.value, "value")
    if c.parser_value:
        _number(c.parser_value, "parser_value")
    if not c.who or not c.why:
        raise ValueError("who and why are required: a correction is an audited decision")
    try:
        datetime.fromisoformat(c.at)
    except ValueError:
        raise ValueError(f"at {c.at!r} is not an ISO time") from None


def _known_fields() -> set[str]:
    from ..parser.spec import all_fields

    return {f.field for f in all_fields()}


def read(path: Path) -> list[tuple[int, Correction]]:
    """Every row of the file, with its line number; an absent file holds none. Raises
    CorrectionsInvalid naming the first bad line."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorrectionsInvalid(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = set(COLUMNS) - set(reader.fieldnames or [])
    if missing:
        raise CorrectionsInvalid(f"{path} line 1: the header lacks {', '.join(sorted(missing))}")
    known, out = _known_fields(), []
    for row in reader:
        c = Correction(**{k: (row.get(k) or "").strip() for k in COLUMNS})
        try:
            check(c, known)
        except ValueError as exc:
            raise CorrectionsInvalid(f"{path} line {reader.line_num}: {exc}") from None
        out.append((reader.line_num, c))
    return out


def append(path: Path, c: Correction) -> Correction:
    """Add one decision (checked first; the time set now when not given) at the file's end."""
    if not c.at:
        c = Correction(**{**asdict(c), "at": datetime.now(UTC).isoformat(timespec="seconds")})
    check(c, _known_fields())
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    with open(path, "a", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        if new:
            w.writeheader()
        w.writerow(asdict(c))
        f.flush()
        os.fsync(f.fileno())
    return c


def frame(path: Path) -> pl.DataFrame:
    """The file as `raw.corrections` holds it (numbers typed, each row's line kept: a later
    line wins)."""
    rows = [{**asdict(c), "value": float(c.value) if c.value else None,
             "parser_value": float(c.parser_value) if c.parser_value else None, "line": line}
            for line, c in read(path)]
    return pl.DataFrame(rows, schema=SCHEMA, orient="row") if rows else pl.DataFrame(schema=SCHEMA)
