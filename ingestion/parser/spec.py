"""The canonical cells (`table.row.col`), loaded from data/fields.csv and its extension.

data/fields.csv (a copy of ../shared/spec/fields.csv) is the contract of `govinfo parse`
output and of the marts: the 207 cells of the 2021 format, always present in a parse
result. data/fields_2019.csv names the cells only the 2019 trial format prints (its
section 二, table `active_2019`); a 2019 report carries them besides the 207. Every other
module asks this one for field names, row and column orders.

Besides the shared contract's columns, each cell says what it belongs to, so that no module
lists cells by hand (pudl's field metadata in one place): `outcome_group`, the group of
table 三's outcome rows (granted … other_processing; blank outside （一）-（六）), and
`measures`, the headline measures of fct_agency_year its value adds to (space-separated;
litigation_total sums two cells that have measures of their own). The marts read both from
the loaded `raw.fields` table.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CONTRACT = "fields.csv"
EXTENSIONS = ("fields_2019.csv",)


@dataclass(frozen=True)
class Field:
    field: str
    table: str
    row: str
    col: str
    row_label_zh: str
    col_label_zh: str
    unit: str
    outcome_group: str
    measures: str


@lru_cache(maxsize=None)
def spec_fields(name: str) -> tuple[Field, ...]:
    text = (Path(__file__).parent / "data" / name).read_text(encoding="utf-8")
    return tuple(Field(**row) for row in csv.DictReader(text.splitlines()))


def fields() -> tuple[Field, ...]:
    """The 207 contract cells."""
    return spec_fields(CONTRACT)


@lru_cache(maxsize=1)
def all_fields() -> tuple[Field, ...]:
    """The contract cells and every template's extra cells (the warehouse's field list)."""
    return fields() + tuple(f for name in EXTENSIONS for f in spec_fields(name))


@lru_cache(maxsize=1)
def field_names() -> tuple[str, ...]:
    return tuple(f.field for f in fields())


def _ordered(values):
    return tuple(dict.fromkeys(values))


APPLICANT_COLS = ("natural_person", "commercial_enterprise", "research_institution",
                  "social_welfare_org", "legal_service_org", "other_org", "total")
APPLICANT_TYPES = APPLICANT_COLS[:-1]
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLS = ("upheld", "corrected", "other", "pending", "total")


@lru_cache(maxsize=1)
def application_rows() -> tuple[str, ...]:
    return _ordered(f.row for f in fields() if f.table == "applications")


def outcome_rows() -> tuple[str, ...]:
    """Rows of table 三 whose sum is （七）总计: those with an outcome group."""
    return _ordered(f.row for f in fields() if f.table == "applications" and f.outcome_group)


@lru_cache(maxsize=1)
def measures() -> dict[str, tuple[Field, ...]]:
    """Headline measure → the cells it sums, in fct_agency_year's column order (by the last
    cell each sums in the contract's order, then by name, as the mart orders them)."""
    cells: dict[str, list[tuple[int, Field]]] = {}
    for i, f in enumerate(all_fields()):
        for name in f.measures.split():
            cells.setdefault(name, []).append((i, f))
    order = sorted(cells, key=lambda name: (cells[name][-1][0], name))
    return {name: tuple(f for _, f in cells[name]) for name in order}


def outcome_measures() -> tuple[str, ...]:
    """The measures that split （七）总计 by outcome group (granted … other_processing)."""
    return tuple(m for m, cells in measures().items() if all(f.outcome_group for f in cells))
