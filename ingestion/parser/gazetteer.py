"""Province- and prefecture-level place names (data/places.txt).

`places()` maps a short name (天津, 聊城, 山东) to its full name (天津市, 聊城市, 山东省);
`province_of()` maps a full name to its province. Used to recover a hijacked place name and,
in the marts, to derive an agency's region. Read on first use, not at import.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_KEEP = re.compile(r"(州|盟|地区)$")


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, str], dict[str, str]]:
    places: dict[str, str] = {}
    province_of: dict[str, str] = {}
    text = resources.files("ingestion.parser").joinpath("data/places.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        province, _, cities = line.partition(":")
        short = re.sub(r"(壮族|回族|维吾尔)?(自治区|省|市)$", "", province)
        places[short] = province
        province_of[province] = province
        for city in filter(None, cities.split(",")):
            full = city if _KEEP.search(city) else city + "市"
            short_city = re.sub(r"(朝鲜族|土家族苗族|藏族羌族|藏族|彝族|布依族苗族|苗族侗族|哈尼族彝族|壮族苗族|傣族"
                                r"|白族|傣族景颇族|傈僳族|回族|蒙古族藏族|蒙古|柯尔克孜|哈萨克)?(自治州|地区|盟)$", "", city)
            places.setdefault(short_city, full)
            province_of[full] = province
    return places, province_of


def places() -> dict[str, str]:
    return _load()[0]


def province_of() -> dict[str, str]:
    return _load()[1]
