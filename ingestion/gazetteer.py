"""Province- and prefecture-level place names (data/places.txt).

PLACES maps a short name (天津, 聊城, 山东) to its full name (天津市, 聊城市, 山东省);
PROVINCE_OF maps a full name to its province. Used to recover a hijacked place name and,
in the marts, to derive an agency's region.
"""
from __future__ import annotations

import re
from importlib import resources

_SUFFIX = re.compile(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)$")
_KEEP = re.compile(r"(州|盟|地区)$")


def _load() -> tuple[dict[str, str], dict[str, str]]:
    places: dict[str, str] = {}
    province_of: dict[str, str] = {}
    text = resources.files("ingestion").joinpath("data/places.txt").read_text(encoding="utf-8")
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


PLACES, PROVINCE_OF = _load()
