"""Report templates, read from templates/<version>.toml: the printed tables as data.

A template lists each section's rows and columns in printed order, with their field
names and label variants, and the arithmetic between cells. The mapper reads nothing
else about the format. Loading validates the file against the field spec and raises
`TemplateError` on anything unmapped (a field the spec lacks, a spec field no row makes),
so a typo in a template fails at once rather than leaving cells silently null.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import product
from pathlib import Path

from .spec import spec_fields

KINDS = ("count", "signed_count", "amount", "money")


class TemplateError(ValueError):
    """A template file that does not fit the field spec."""


@dataclass(frozen=True)
class Column:
    name: str
    labels: tuple[str, ...]
    optional: bool = False
    total: bool = False  # the column that sums the others (总计)
    kind: str = "count"
    # the header cell this column's header stands under (法人或其他组织): a two-level header
    # prints it on the second line, so only columns under the same cell keep a printed order
    under: str = ""


@dataclass(frozen=True)
class TRow:
    """One printed row of a template: its cells are `fields[i]` under `columns[i]`."""
    section: str  # active | applications | review
    name: str
    labels: tuple[str, ...]
    columns: tuple[Column, ...]
    fields: tuple[str, ...]
    block: int = 0  # section 二's block (第二十条第（一）项 …)
    group: str | None = None  # applications: a group that may be printed instead of another
    parent: str | None = None  # the merged label printed beside it (不予公开 …)
    key: str = field(init=False, compare=False, repr=False)  # section.name, asked for on every row compared

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.section}.{self.name}")


@dataclass(frozen=True)
class Rule:
    rule: str
    note: str
    each: tuple[str, str]  # (placeholder, source): ("col", "applications.columns")
    expected: tuple[str, ...]
    actual: tuple[str, ...]


@dataclass(frozen=True)
class Check:
    """One evaluated equation of a rule: sum(expected) == sum(actual), blanks as 0."""
    rule: str
    subject: str
    expected: tuple[str, ...]
    actual: tuple[str, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return self.expected + self.actual


@dataclass(frozen=True)
class Template:
    version: str
    title: str
    years: tuple[int, int]
    markers: tuple[str, ...]
    active_heading: tuple[str, ...]
    active_header_first: tuple[str, ...]
    active_captions: tuple[str, ...]
    applications_heading: tuple[str, ...]
    applicant_columns: tuple[Column, ...]
    group_labels: tuple[str, ...]
    alternatives: tuple[tuple[str, str], ...]
    review_heading: tuple[str, ...]
    review_header_words: tuple[str, ...]
    review_groups: tuple[tuple[str, tuple[str, ...]], ...]
    review_columns: tuple[Column, ...]
    rows: tuple[TRow, ...]  # every printed row, in printed order
    rules: tuple[Rule, ...]
    closing: tuple[str, ...] = ()  # headings of the sections after the tables
    extra_fields: tuple[str, ...] = field(default=())  # cells beyond the 2021 contract

    def _kept(self, key: str, make):
        """What `make()` gives, made once per template (a template is loaded once and asked
        the same things for every row of every document; hashing it per call costs more)."""
        got = self.__dict__.get(key)
        if got is None:
            got = self.__dict__[key] = make()  # frozen: only its fields are, not this memo
        return got

    def section_rows(self, section: str) -> tuple[TRow, ...]:
        return self._kept(f"memo:rows:{section}", lambda: tuple(r for r in self.rows if r.section == section))

    @property
    def fields(self) -> tuple[str, ...]:
        """Every cell the template makes, once (alternative layouts make the same cells)."""
        return self._kept("memo:fields", lambda: tuple(dict.fromkeys(f for r in self.rows for f in r.fields)))

    def variants(self) -> list[tuple[TRow, ...]]:
        """The printed row sequence once per choice among the alternative row groups
        (（六）其他处理 as three rows or one; section 四 as one row or one per group)."""
        groups = {g for pair in self.alternatives for g in pair}
        out = []
        for keep in product(*self.alternatives):
            drop = groups - set(keep)
            out.append(tuple(r for r in self.rows if r.group not in drop))
        return out

    def checks(self) -> tuple[Check, ...]:
        return self._kept("memo:checks", lambda: _checks(self))


def _columns(items: list[dict]) -> tuple[Column, ...]:
    out = []
    for c in items:
        kind = c.get("kind", "count")
        if kind not in KINDS:
            raise TemplateError(f"column {c['col']}: unknown kind {kind!r}")
        out.append(Column(c["col"], tuple(c["labels"]), c.get("optional", False), c.get("total", False), kind,
                          c.get("under", "")))
    return tuple(out)


def _raw(version: str) -> dict:
    path = Path(__file__).parent / "templates" / f"{version}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TemplateError(f"no template {version!r}") from None
    if "extends" in data:
        base = _raw(data.pop("extends"))
        base.update(data)  # a section is replaced as a whole
        data = base
    return data


def _build(data: dict) -> Template:
    active, apps, review = data["active"], data["applications"], data["review"]
    rows: list[TRow] = []
    active_table = active.get("table", "active")
    for b, block in enumerate(active["blocks"]):
        cols = _columns(block["columns"])
        for r in block["rows"]:
            rows.append(TRow("active", r["row"], tuple(r["labels"]), cols,
                             tuple(f"{active_table}.{r['row']}.{c.name}" for c in cols), block=b))
    app_cols = _columns(apps["columns"])
    for r in apps["rows"]:
        rows.append(TRow("applications", r["row"], tuple(r["labels"]), app_cols,
                         tuple(f"applications.{r['row']}.{c.name}" for c in app_cols),
                         group=r.get("group"), parent=r.get("parent")))
    review_cols = _columns(review["columns"])
    groups = tuple((g["group"], tuple(g["labels"])) for g in review["groups"])
    table = review["table"]
    # section 四 is printed as one row of the three groups side by side, or as one row per
    # group (under the group's heading): both are listed, the aligner takes the one printed
    flat = tuple(Column(f"{g}.{c.name}", c.labels, c.optional, c.total, c.kind) for g, _ in groups for c in review_cols)
    rows.append(TRow("review", "all", tuple(review["header_words"]), flat,
                     tuple(f"{table}.{c.name}" for c in flat), group="review_one_row"))
    for g, labels in groups:
        rows.append(TRow("review", g, labels, review_cols, tuple(f"{table}.{g}.{c.name}" for c in review_cols),
                         group="review_by_group"))
    rules = tuple(Rule(r["rule"], r.get("note", ""), next(iter(r["each"].items())), tuple(r["expected"]),
                       tuple(r["actual"])) for r in data["rules"])
    return Template(
        version=data["version"], title=data["title"], years=tuple(data["years"]), markers=tuple(data["markers"]),
        active_heading=tuple(active["heading"]), active_header_first=tuple(active["header_first"]),
        active_captions=tuple(b["caption"] for b in active["blocks"]),
        applications_heading=tuple(apps["heading"]), applicant_columns=app_cols,
        group_labels=tuple(apps.get("group_labels", ())),
        alternatives=tuple(tuple(a) for a in apps.get("alternatives", ())) + (("review_one_row", "review_by_group"),),
        review_heading=tuple(review["heading"]), review_header_words=tuple(review["header_words"]),
        review_groups=groups, review_columns=review_cols, rows=tuple(rows), rules=rules,
        closing=tuple(data.get("closing", ())))


def _sources(t: Template) -> dict[str, tuple[str, ...]]:
    return {
        "applications.columns": tuple(c.name for c in t.applicant_columns),
        "applications.rows": tuple(r.name for r in t.section_rows("applications")),
        "review.groups": tuple(g for g, _ in t.review_groups),
    }


def _checks(t: Template) -> tuple[Check, ...]:
    out = []
    sources = _sources(t)
    for rule in t.rules:
        var, source = rule.each
        if source not in sources:
            raise TemplateError(f"rule {rule.rule}: unknown `each` source {source!r}")
        for value in sources[source]:
            sub = {var: value}
            out.append(Check(rule.rule, value, tuple(f.format(**sub) for f in rule.expected),
                             tuple(f.format(**sub) for f in rule.actual)))
    return tuple(out)


def _validate(t: Template, spec_file: str) -> Template:
    """Every field a row makes is in the spec, every field of the template's own spec is
    made, and every rule term names a field the template makes."""
    contract = {f.field for f in spec_fields("fields.csv")}
    own = {f.field for f in spec_fields(spec_file)}
    made = t.fields
    for variant in t.variants():
        cells = [f for r in variant for f in r.fields]
        if len(set(cells)) != len(cells):
            raise TemplateError(f"template {t.version}: a field is made by two rows of one layout")
    unknown = set(made) - contract - own
    if unknown:
        raise TemplateError(f"template {t.version}: fields not in the spec: {sorted(unknown)[:5]}")
    printed_tables = {f.split(".")[0] for f in made}
    missing = {f for f in own | contract if f.split(".")[0] in printed_tables} - set(made)
    if missing:
        raise TemplateError(f"template {t.version}: spec fields no row makes: {sorted(missing)[:5]}")
    for check in t.checks():
        bad = set(check.fields) - set(made)
        if bad:
            raise TemplateError(f"template {t.version}: rule {check.rule} names unknown fields {sorted(bad)[:3]}")
    extra = tuple(f for f in made if f not in contract)
    return replace(t, extra_fields=extra)


@lru_cache(maxsize=None)
def load(version: str) -> Template:
    data = _raw(version)
    return _validate(_build(data), data.get("spec", "fields.csv"))


VERSIONS = ("2021", "2019")


def templates() -> tuple[Template, ...]:
    return tuple(load(v) for v in VERSIONS)
