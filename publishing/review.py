"""The review queue and the decisions taken on it (`govinfo review`).

The queue is read from the marts: every cell read with doubt, every unresolved agency, every
rule finding (the agencies' own and the parser's), with the file, the page or line, what the
parser read and why it doubted. A decision is written to the corrections file
(ingestion.load.corrections), never to the warehouse: the next run applies it to the marts.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingestion.load import corrections
from ingestion.load.corrections import Correction
from ingestion.load.landing import LandingIndex
from ingestion.load.layout import Layout
from ingestion.load.quarantine import QuarantineError, document_named
from ingestion.load.warehouse import connect

KINDS = ("uncertain_cell", "agency_finding", "extraction_finding", "unresolved_agency", "stale_review", "reviewed_cell")
_QUEUE = """
    SELECT 'uncertain_cell' AS kind, 'open' AS status, document_id, source_file, page, line, agency_name, year,
           field AS item, NULL::DOUBLE AS read,
           CASE WHEN ocr_checked IS NULL THEN 'read with doubt: left blank'
                ELSE 'read by OCR as ' || coalesce(printed_text, '(nothing)') || ' (confidence '
                     || round(ocr_confidence, 3) || '): ' || ocr_checked END AS why
    FROM marts.fct_report_cells WHERE uncertain
    UNION ALL
    SELECT 'reviewed_cell', value_source, document_id, source_file, page, line, agency_name, year, field, value,
           coalesce(review_note, '')
    FROM marts.fct_report_cells WHERE value_source <> 'parser'
    UNION ALL
    SELECT CASE rule WHEN 'agency_unresolved' THEN 'unresolved_agency' WHEN 'review_stale' THEN 'stale_review'
                ELSE finding_source || '_finding' END,
           CASE WHEN confirmed_as_printed THEN 'printed_as_is' ELSE 'open' END,
           document_id, source_file, page, line, agency_name, year, rule || ' ' || subject, actual::DOUBLE, message
    FROM marts.data_quality_issues
    WHERE finding_source IN ('agency', 'extraction') AND severity <> 'info' AND rule <> 'parse_warning'
"""


@dataclass(frozen=True)
class Item:
    kind: str
    status: str  # open | corrected | confirmed | printed_as_is
    document_id: str
    source_file: str | None
    page: int | None
    line: int | None
    agency_name: str | None
    year: int | None
    item: str  # the cell (table.row.col) or the finding (rule subject)
    read: float | None  # what the parser read (a finding: its printed total)
    why: str

    @property
    def is_cell(self) -> bool:
        return self.kind in ("uncertain_cell", "reviewed_cell")

    def target(self) -> dict[str, str]:
        """What a decision on the item names: its cell, or its finding's rule and subject."""
        return {"field": self.item} if self.is_cell else dict(zip(("rule", "subject"), self.item.split(" ", 1)))

    def say(self) -> str:
        place = f" p.{self.page}" if self.page is not None else f" l.{self.line}" if self.line is not None else ""
        read = "" if self.read is None else f"  read={self.read:g}"
        return (f"{self.kind:18} {self.status:13} {self.document_id[:12]}  {self.source_file}{place}  "
                f"{self.agency_name or '(no agency)'} {self.year or ''}  {self.item}{read}  {self.why}")


def queue(warehouse: Path, agency: str | None = None, year: int | None = None, rule: str | None = None,
          kind: str | None = None, status: str = "open") -> list[Item]:
    """The review items of the warehouse's marts, filtered (`status`: open, settled or all)."""
    if kind and kind not in KINDS:
        raise ValueError(f"kind {kind!r} is none of {', '.join(KINDS)}")
    where, params = [], []
    if agency:
        where.append("agency_name LIKE ?")
        params.append(f"%{agency}%")
    if year:
        where.append("year = ?")
        params.append(year)
    if rule:
        where.append("split_part(item, ' ', 1) = ?")
        params.append(rule)
    if kind:
        where.append("kind = ?")
        params.append(kind)
    if status != "all":
        where.append("status = 'open'" if status == "open" else "status <> 'open'")
    sql = (f"SELECT * FROM ({_QUEUE}) q" + (f" WHERE {' AND '.join(where)}" if where else "")
           + " ORDER BY kind, agency_name, year, item")
    with connect(warehouse, read_only=True) as con:
        return [Item(*row) for row in con.execute(sql, params).fetchall()]


class NotFound(LookupError):
    """One line: the document or cell a decision names is not in the warehouse."""


def decide(warehouse: Path, ref: str, action: str, who: str, why: str, field: str = "", value: str = "",
           rule: str = "", subject: str = "") -> tuple[Path, Correction]:
    """Record one decision in the corrections file, with what the parser had read. `ref`
    names the document as `govinfo quarantine` does (ingestion.load.quarantine.document_named)."""
    layout = Layout(warehouse)
    try:
        with LandingIndex(layout.landing_index) as index:
            sha = document_named(index, ref)
    except QuarantineError as exc:
        raise NotFound(str(exc)) from None
    with connect(warehouse, read_only=True) as con:
        if not con.execute("SELECT 1 FROM raw.documents WHERE document_id = ?", [sha]).fetchall():
            raise NotFound(f"document {sha[:12]} is not in the warehouse (rejected or kept out)")
        read = None
        if field:
            found = con.execute("SELECT value FROM raw.report_cells WHERE document_id = ? AND field = ?",
                                [sha, field]).fetchall()
            if not found:
                raise NotFound(f"document {sha[:12]} has no cell {field!r}")
            read = found[0][0]
    path = corrections.path_of(layout.corrections)
    c = corrections.append(path, Correction(document_id=sha, action=action, field=field, value=value, rule=rule,
                                            subject=subject, parser_value="" if read is None else repr(float(read)),
                                            who=who, why=why))
    return path, c
