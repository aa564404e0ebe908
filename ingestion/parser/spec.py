"""The canonical cells (`table.row.col`), loaded from data/fields.csv and its extension.

data/fields.csv (a copy of ../shared/spec/fields.csv) is the contract of `govinfo parse`
output and of the marts: the 207 cells of the 2021 format, always present in a parse
result. data/fields_2019.csv names the cells only the 2019 trial format prints (its
section 二, table `active_2019`); a 2019 report carries them besides the 207. Every other
module asks this one for field names, row and column orders.
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


# Rows of table 三 whose sum is （七）总计: every outcome row between 予以公开 and 其他处理.
OUTCOME_ROWS_EXCLUDED = ("new_received", "carried_over", "total_processed", "carried_forward")


def outcome_rows() -> tuple[str, ...]:
    return tuple(r for r in application_rows() if r not in OUTCOME_ROWS_EXCLUDED)
