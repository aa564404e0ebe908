"""The folders follow the flow (docs/maintainers.md, "Where things belong"): parse → resolve →
load → check → publish → alert, with orchestration wiring them. A module that reaches
downstream of its own step (the parser into the warehouse, a library into Dagster) breaks
that, and is named here with the import that does it."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
# step folder → the packages its modules may not import (absolute module names, prefixes)
FORBIDDEN = {
    "ingestion/parser": ("ingestion.load", "ingestion.ingest", "orchestration", "publishing", "alerting",
                         "expectations", "dagster", "dbt", "great_expectations"),
    "ingestion/resolve": ("ingestion.load", "ingestion.ingest", "orchestration", "publishing", "alerting",
                          "expectations", "dagster", "dbt", "great_expectations"),
    "ingestion/load": ("ingestion.ingest", "orchestration", "publishing", "alerting", "expectations",
                       "dagster", "dbt", "great_expectations"),
    "expectations": ("orchestration", "publishing", "alerting", "dagster"),
    "publishing": ("orchestration", "alerting", "expectations", "dagster"),
    "alerting": ("orchestration", "dagster"),
}
# the one way the resolve step leans on the parser: its normalisation of printed text
RESOLVE_FROM_PARSER = {"ingestion.parser.textnorm"}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module a file imports, relative imports made absolute."""
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            name = ".".join([*base, node.module] if node.module else base)
            found.add(name)
            found.update(f"{name}.{a.name}" for a in node.names)
    return found


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_no_step_reaches_downstream(folder):
    crossing = [f"{p.relative_to(ROOT)} imports {m}" for p in _files(folder) for m in sorted(imports(p))
                if m.startswith(FORBIDDEN[folder]) and not m.startswith(folder.replace("/", "."))]
    assert crossing == []


def test_resolve_takes_only_text_normalisation_from_the_parser():
    used = {m for p in _files("ingestion/resolve") for m in imports(p) if m.startswith("ingestion.parser")}
    assert used <= RESOLVE_FROM_PARSER | {f"{m}.{n}" for m in RESOLVE_FROM_PARSER for n in ("squash", "nfkc")}


def test_the_check_sees_relative_imports():
    """The test above can fail: a relative import from the load step is seen as what it is."""
    assert "ingestion.parser.readers.MAX_BYTES" in imports(ROOT / "ingestion" / "load" / "landing.py")
