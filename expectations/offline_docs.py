"""Data Docs that open without a network.

GX writes pages that load Bootstrap, jQuery, Vega, Font Awesome and its logo from CDNs: on a
network without internet they render blank. After GX writes pages, `make_offline` copies the
files we ship (expectations/static/datadocs, listed in its sources.csv with their licences)
into the site's `static/vendor/` and points the new pages at them, by a path relative to each
page so the site still works when the folder is moved or served.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
from functools import lru_cache
from importlib import resources
from pathlib import Path

VENDOR = Path("static") / "vendor"


def _assets() -> Path:
    return Path(str(resources.files("expectations").joinpath("static/datadocs")))


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern, dict[str, str]]:
    """One pattern for every CDN address we replace (a query string after it included)."""
    with (_assets() / "sources.csv").open(encoding="utf-8", newline="") as f:
        files = {row["url"]: row["file"] for row in csv.DictReader(f)}
    alternatives = "|".join(re.escape(u) for u in sorted(files, key=len, reverse=True))
    return re.compile(f"({alternatives})(\\?[^\"'\\s>]*)?"), files


def _install(site: Path) -> None:
    """Copy the assets into the site once (again when we ship other files)."""
    target = site / VENDOR
    source = _assets()
    stamp = target / "sources.csv"
    if stamp.exists() and stamp.read_bytes() == (source / "sources.csv").read_bytes():
        return
    shutil.copytree(source, target, dirs_exist_ok=True)


def make_offline(site: Path, since: float = 0.0) -> int:
    """Point every page of `site` written at or after `since` (a time.time()) at the local
    copies; returns how many pages changed."""
    site = Path(site)
    if not site.is_dir():
        return 0
    _install(site)
    pattern, files = _pattern()
    changed = 0
    for page in site.rglob("*.html"):
        if page.stat().st_mtime < since:
            continue
        text = page.read_text(encoding="utf-8")
        up = os.path.relpath(site / VENDOR, page.parent)
        new = pattern.sub(lambda m: f"{up}/{files[m.group(1)]}", text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed
