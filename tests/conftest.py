"""Shared fixtures. Tests use the real stack: real DuckDB files, real dbt, real GX, real
Dagster runs; only paths are temporary."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "raw"
SEED_GOLD = Path(__file__).parent / "fixtures" / "seed_gold"


@pytest.fixture(scope="session")
def seed_cases() -> list[tuple[Path, dict]]:
    """The five shared seed reports (bundled in samples/raw) with their gold."""
    cases = []
    for gold in sorted(SEED_GOLD.glob("*.json")):
        cases.append((SAMPLES / f"{gold.stem}.txt", json.loads(gold.read_text(encoding="utf-8"))))
    assert len(cases) == 5
    return cases


@pytest.fixture(scope="session")
def generated():
    """The committed generated corpus (corpus/fixtures.py): every format (PDF and DOC rendered
    by LibreOffice), every text shape and quirk, and the bad inputs."""
    from corpus.fixtures import ROOT
    from corpus.generate import read_corpus

    return ROOT / "generated", read_corpus(ROOT / "generated")


@pytest.fixture
def rng() -> random.Random:
    return random.Random(5)


def pytest_sessionstart(session):  # noqa: ARG001 - pytest's hook signature
    """The dbt manifest the definitions read, made before any test loads them (no module
    makes it on import): `dbt parse` when a model changed since the last one."""
    from orchestration.project import prepare_manifest

    prepare_manifest()
