"""Who published a report: its division (行政区划代码) and its kind, the agency key.

An agency prints its name differently across years (洪泽区人民政府 / 淮安市洪泽区人民政府,
人民政府外事办公室 / 外办). The key is what stays: (division code, normalised kind), for
example `320813:人民政府`. The division comes from the place names the agency's name starts
with, matched as a chain against the gazetteer (ingestion.resolve.divisions: 江苏省 ⊃ 淮安市 ⊃ 洪泽区),
in the report's year. The kind is the rest of the name, normalised by the table
`data/agency_kinds.csv` (data, not code).

When the name fits several divisions (鼓楼区 is in 南京, 徐州, 开封 and 福州) or none (a bare
外事办公室, 城关镇人民政府), the body decides, in this order, and the evidence is kept:
1. the body prints the place qualified by its parent (南京市鼓楼区, 聊城市人民政府外事办公室);
2. an address or contact line names exactly one candidate's parent;
3. the body names the parent city of exactly one candidate.
When nothing decides, the agency is unresolved: no division and no key, never merged.

Kept apart from divisions:
- national bodies (国务院部门, 国家…局, …部) get `divisions.NATIONAL` and level 国家级;
- townships (…镇人民政府, …街道办事处) have no code in the table: they are keyed by their
  county's code with the township in the kind (`371521:城关镇人民政府`), level 乡级;
- development zones and new areas without a code of their own (苏州工业园区, 聊城经济技术开发区)
  are keyed by the division that runs them, the zone in the kind
  (`320500:苏州工业园区管理委员会`), at that division's level.
"""
from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from .divisions import FIRST_YEAR, LAST_YEAR, LEVELS, NATIONAL, Gazetteer, gazetteer
from ..parser.textnorm import squash

_NATIONAL = re.compile(r"^(中华人民共和国|国务院|国家|中国|中央)")
_NATIONAL_KIND = re.compile(r"(部|总局|总署|署)$")
_SURVEY_TEAM = re.compile(r"(调查总队|调查队)")
_TOWNSHIP = re.compile(r"^(.{1,8}?(?:镇|乡|苏木))(人民政府|政府)?$|^(.{1,8}?街道)(办事处)?$")
_ZONE = re.compile(r"^(.{0,12}?(?:开发区|园区|新区|示范区|实验区|试验区|保税区|合作区|高新区|新城|港区))(.*)$")
_ADDRESS = re.compile(r"地址|地点|邮编|邮政编码|联系方式|通讯|办公室位于|坐落")
_TRAILING_NOTE = re.compile(r"[(（][^()（）]*[)）]$")
_SEAT = re.compile(r"^(?:人民政府|政府)(.+)$")  # a department of the place's government


BODY_READ = 30_000  # characters of a long body read for evidence: its start and its end


@dataclass(frozen=True)
class Chain:
    """Division names printed one after another, each inside the one before."""
    codes: tuple[str, ...]
    printed: str
    current: bool  # every name as the table gives it in the report's year
    short_end: str = ""  # the last name, when it is a short one (苏州 of 苏州工业园区)


@dataclass
class Resolution:
    agency_name: str
    division_code: str | None
    kind: str
    level: str | None  # 国家级 省级 市级 县级 乡级; None when unresolved
    status: str  # title | body | unresolved
    evidence: str
    candidates: list[str] = field(default_factory=list)

    @property
    def agency_key(self) -> str | None:
        return f"{self.division_code}:{self.kind}" if self.division_code else None

    def as_dict(self) -> dict:
        return asdict(self) | {"agency_key": self.agency_key}


@lru_cache(maxsize=1)
def _kinds() -> dict[str, str]:
    text = (Path(__file__).parent / "data" / "agency_kinds.csv").read_text(encoding="utf-8")
    return {row["printed"]: row["kind"] for row in csv.DictReader(text.splitlines())}


def normal_kind(rest: str) -> str:
    """The department a name's remainder (after its place) means: 人民政府外事办公室 and 外办
    are 外事办公室, 政府办 is 人民政府办公室. A department of the government is the
    department (人民政府办公室 is the government's own office, so it stays); anything the
    table lacks is kept as printed."""
    rest = _TRAILING_NOTE.sub("", rest)
    seat = _SEAT.match(rest)
    if seat and not seat.group(1).startswith("办"):
        rest = seat.group(1)
    return _kinds().get(rest, rest)


def _when(year: int) -> int:
    """The division table's year for a report's: the table holds FIRST_YEAR to LAST_YEAR, so a
    later report is read with the newest divisions, an earlier one with the oldest. (A
    report without a year is rejected before its agency is resolved: `parse.parse_file`.)"""
    return min(max(year, int(FIRST_YEAR)), LAST_YEAR)


def chains(g: Gazetteer, text: str, year: int, at: int = 0, above: tuple[str, ...] = ()) -> list[Chain]:
    """Every chain of division names starting at `at` (inside `above`, the codes before it).
    A short name (淮安, 苏州) counts only when another name or a zone follows it: alone it is
    too often the start of another word."""
    out = []
    for piece, name in g.starting(text, at):
        division = g.divisions[name.code]
        if above and above[-1] not in g.parent_codes(name.code):
            continue
        if above and division.rank <= g.divisions[above[-1]].rank:
            continue
        end = at + len(piece)
        deeper = chains(g, text, year, end, above + (name.code,))
        current = name.held_in(_when(year))
        out.extend(Chain((name.code,) + c.codes, piece + c.printed, current and c.current, c.short_end)
                   for c in deeper)
        if name.full or (_ZONE.match(text[end:]) and not deeper):
            out.append(Chain((name.code,), piece, current, "" if name.full else piece))
    return out


def _best(found: list[Chain]) -> list[Chain]:
    """The chains that read the most of the name; those valid in the report's year if any are."""
    if not found:
        return []
    longest = max(len(c.printed) for c in found)
    top = [c for c in found if len(c.printed) == longest]
    return [c for c in top if c.current] or top


def _level_and_kind(g: Gazetteer, code: str, rest: str, short_end: str = "") -> tuple[str, str]:
    """A township keeps its name in the kind and is 乡级; a zone keeps its name (with the
    short place name it is printed with: 苏州工业园区) at the level of the division that runs it."""
    town = _TOWNSHIP.match(rest)
    if town and g.divisions[code].rank >= 2:
        place = town.group(1) or town.group(3)
        return "乡级", place + ("办事处" if town.group(3) else "人民政府")
    zone = _ZONE.match(rest)
    if zone and zone.group(1) and not rest.startswith(("人民政府", "政府")):
        return LEVELS[g.divisions[code].rank], short_end + zone.group(1) + normal_kind(zone.group(2))
    return LEVELS[g.divisions[code].rank], normal_kind(rest)


def resolve(name: str, body: str, year: int) -> Resolution:
    """The agency a printed name (and the report's body) points to."""
    g = gazetteer()
    printed = squash(name)
    if len(body) > BODY_READ:  # the title page, section 一 and the signature are what can name a place
        body = body[: BODY_READ * 2 // 3] + "\n" + body[-BODY_READ // 3:]
    found = _best(chains(g, printed, year))
    if not found:
        return _placeless(g, name, printed, body, year)
    rest = printed[len(found[0].printed):]
    candidates = sorted({c.codes[-1] for c in found})
    if len(candidates) == 1:
        return _resolved(g, name, candidates[0], rest, "title", f"title: {found[0].printed}",
                         short_end=found[0].short_end)
    code, evidence = _decide_by_body(g, candidates, body, year)
    if code is None:
        return Resolution(name, None, normal_kind(rest), None, "unresolved", evidence, candidates)
    return _resolved(g, name, code, rest, "body", evidence, candidates)


def _resolved(g: Gazetteer, name: str, code: str, rest: str, status: str, evidence: str,
              candidates: list[str] | None = None, short_end: str = "") -> Resolution:
    level, kind = _level_and_kind(g, code, rest, short_end)
    return Resolution(name, code, kind, level, status, evidence, candidates or [code])


def _placeless(g: Gazetteer, name: str, printed: str, body: str, year: int) -> Resolution:
    """A name with no place in it: a national body, a vertical branch (国家税务总局聊城市税务局),
    or a department whose place only the body gives."""
    if _NATIONAL.match(printed):
        for at in range(2, min(len(printed), 16)):
            branch = _best(chains(g, printed, year, at))
            if branch and {c.codes[-1] for c in branch} == {branch[0].codes[-1]}:
                rest = printed[at + len(branch[0].printed):]
                return _resolved(g, name, branch[0].codes[-1], rest, "title",
                                 f"title: {printed[:at]} branch in {branch[0].printed}")
        team = _survey_team(g, name, printed, body, year)
        if team is not None:
            return team
    if _NATIONAL.match(printed) or (_NATIONAL_KIND.search(printed) and len(printed) <= 12):
        kind = normal_kind(re.sub(r"^中华人民共和国", "", printed))
        return Resolution(name, NATIONAL, kind, "国家级", "title", "title: a national body (no place in its name)",
                          [NATIONAL])
    codes = _qualified(g, body, printed, year)
    if len(codes) == 1:
        code, = codes
        return _resolved(g, name, code, printed, "body", f"body prints {codes[code]}{printed}")
    why = "no place in the name" + (f"; the body qualifies it by {len(codes)} places" if codes else
                                    "; the body never prints it with its place")
    return Resolution(name, None, normal_kind(printed), None, "unresolved", why, sorted(codes))


def _survey_team(g: Gazetteer, name: str, printed: str, body: str, year: int) -> Resolution | None:
    """A national bureau's local team printed with a short place name (国家统计局聊城调查队):
    the team serves that division. Several divisions of that short name: the body decides,
    as for a same-named district, or it is unresolved."""
    for at in range(2, min(len(printed), 16)):
        for piece, _ in g.starting(printed, at):
            rest = printed[at + len(piece):]
            if not _SURVEY_TEAM.fullmatch(rest):
                continue
            codes = sorted({n.code for n in g.names[piece] if not n.full and n.held_in(_when(year))})
            if len(codes) == 1:
                return _resolved(g, name, codes[0], rest, "title", f"title: {printed[:at]} team in {piece}")
            code, evidence = _decide_by_body(g, codes, body, year)
            if code is None:
                return Resolution(name, None, normal_kind(rest), None, "unresolved", evidence, codes)
            return _resolved(g, name, code, rest, "body", evidence, codes)
    return None


def _qualified(g: Gazetteer, body: str, printed: str, year: int) -> dict[str, str]:
    """Places the body prints right before the name (聊城市[人民政府]外事办公室): code → printed."""
    text = squash(body)
    out: dict[str, str] = {}
    start = text.find(printed)
    while start > 0:
        for back in range(min(start, 20), 1, -1):
            for c in _best(chains(g, text, year, start - back)):
                between = text[start - back + len(c.printed):start]
                if between in ("", "人民政府", "政府"):
                    out.setdefault(c.codes[-1], c.printed + between)
        start = text.find(printed, start + 1)
    return out


def _mentions(g: Gazetteer, text: str, year: int) -> list[Chain]:
    """Every chain of division names the text prints, read left to right."""
    out, at = [], 0
    while at < len(text):
        found = _best(chains(g, text, year, at))
        out.extend(found)
        at += len(found[0].printed) if found else 1
    return out


def _decide_by_body(g: Gazetteer, candidates: list[str], body: str, year: int) -> tuple[str | None, str]:
    """Choose among same-named divisions by what the body prints; (None, why) when it cannot."""
    lines = [squash(line) for line in body.splitlines()]
    text = "".join(lines)
    mentioned = _mentions(g, text, year)
    tiers = [
        ("the body prints it qualified", [c for c in mentioned if len(c.codes) > 1]),
        ("an address line names", [c for line in lines if _ADDRESS.search(line) for c in _mentions(g, line, year)]),
        ("the body names", mentioned),
    ]
    for label, chains_ in tiers:
        support: dict[str, str] = {}
        for chain in chains_:
            for cand in candidates:
                if _supports(g, chain, cand, candidates, qualified=label.endswith("qualified")):
                    support.setdefault(cand, chain.printed)
        if len(support) == 1:
            code, printed = next(iter(support.items()))
            return code, f"{label} {printed} (of {len(candidates)} divisions of that name)"
        if len(support) > 1:
            return None, f"{label} {', '.join(sorted(set(support.values())))}: several of {len(candidates)} divisions"
    return None, f"{len(candidates)} divisions of that name and the body names none of their parents"


def _supports(g: Gazetteer, chain: Chain, cand: str, candidates: list[str], qualified: bool) -> bool:
    """Whether a printed chain points at this candidate: it prints the candidate inside its
    parent (qualified), or names a parent no other candidate has."""
    if qualified:
        return cand in chain.codes[1:]
    return bool(set(chain.codes) & (set(g.parent_codes(cand)) - _shared(g, candidates)))


def _shared(g: Gazetteer, candidates: list[str]) -> set[str]:
    """Parents common to every candidate (江苏省 for 南京's and 徐州's 鼓楼区): they decide nothing."""
    sets = [set(g.parent_codes(c)) for c in candidates]
    return set.intersection(*sets) if sets else set()
