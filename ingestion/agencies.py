"""Who an agency is: its alias key, region, level and kind, from the name it prints.

The same agency prints its name differently across years (全称/简称 such as 人民政府办公室 vs
政府办公室, a leading province, spaces, full-width characters). `alias_key` reduces a name
to what stays the same, deterministically; names with one key are one agency, and the
marts show which alias each report used. Region comes from the gazetteer (province,
prefecture city) and the name itself (a county or district after the city).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass

from .parser.gazetteer import places, province_of
from .parser.textnorm import squash

_COUNTY = re.compile(r"^([\u4e00-\u9fff]{1,6}?(?:自治县|县|区|旗|市))")
_KINDS = [("人民政府办公室", "政府办公室"), ("政府办公室", "政府办公室"), ("办公厅", "办公厅"), ("人民政府", "人民政府"),
          ("委员会", "委员会"), ("办公室", "办公室"), ("管理局", "局"), ("局", "局"), ("厅", "厅"), ("中心", "中心"),
          ("委", "委员会"), ("办", "办公室")]


@dataclass(frozen=True)
class AgencyInfo:
    agency_name: str
    alias_key: str
    agency_key: str
    province: str | None
    city: str | None
    county: str | None
    level: str  # 省级, 市级, 县级 or 未知
    kind: str


def _strip_province(name: str) -> tuple[str | None, str]:
    for short, full in places().items():
        if province_of().get(full) == full:
            for prefix in (full, short):
                # 吉林市… is the city of 吉林, not the province (full names like 北京市 match first)
                if name.startswith(prefix) and not (prefix == short and name[len(short):].startswith("市")):
                    return full, name[len(prefix):]
    return None, name


def alias_key(name: str) -> str:
    """The part of a name that does not vary between a report's aliases."""
    key = squash(name)
    province, rest = _strip_province(key)
    if rest and any(rest.startswith(s) for s in places() if province_of().get(places()[s]) == province):
        key = rest  # 山东省聊城市… = 聊城市…
    return key.replace("人民政府", "政府")


def describe(name: str) -> AgencyInfo:
    key = alias_key(name)
    province, rest = _strip_province(squash(name))
    city = None
    for full, of in province_of().items():
        if full == of or (province and of != province):
            continue  # a province, or a city of another province (朝阳 in 北京市朝阳区)
        short = full[:-1] if full.endswith("市") else full
        if rest.startswith(full) or (rest.startswith(short) and rest[len(short):][:1] not in ("区", "县", "旗")):
            if city is None or len(full) > len(city):
                city = full
    if city:
        province = province or province_of().get(city)
        rest = rest[len(city):] if rest.startswith(city) else rest[len(city) - 1:]
    m = _COUNTY.match(rest)
    county = m.group(1) if m and not rest.startswith(("市场", "区域")) and len(rest) > len(m.group(1)) + 1 else None
    if county and county.endswith("市") and not city:
        county = None  # 某市 without a known city is the city itself
    level = "县级" if county else "市级" if city else "省级" if province else "未知"
    kind = next((k for suffix, k in _KINDS if squash(name).endswith(suffix)), "其他")
    return AgencyInfo(agency_name=name, alias_key=key, agency_key=hashlib.md5(key.encode()).hexdigest(),
                      province=province, city=city, county=county, level=level, kind=kind)


def describe_all(names) -> list[dict]:
    return [asdict(describe(n)) for n in sorted(set(names))]
