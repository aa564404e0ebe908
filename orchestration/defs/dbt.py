"""dbt models as assets (`dbt build`: models, dbt tests as asset checks, unit tests).

Asset keys are [schema, model] (staging/…, intermediate/…, marts/…), grouped by schema;
the raw.* sources map to the ingestion asset's keys through their meta.dagster.asset_key.
"""

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtCliRuntimeError, DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from ingestion.load.layout import Layout
from ingestion.load.orphans import remove_orphans
from ingestion.load.warehouse import WarehouseUnavailable, connect

from ..project import PROJECT_TARGET, dbt_project
from .ingestion import WRITER_POOL
from .resources import WarehousePaths

dbt_project.prepare_if_dev()  # `dg dev` parses; elsewhere the manifest was prepared (orchestration.project)


class GovinfoDbtTranslator(DagsterDbtTranslator):
    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        if node.get("resource_type") in ("model", "seed"):  # seeds: the reviewed tables (agency_overrides)
            schema = node["config"].get("schema") or "main"
            spec = spec.replace_attributes(key=dg.AssetKey([schema, node["name"]]), group_name=schema)
        return spec


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=GovinfoDbtTranslator(),
            name="dbt_models", pool=WRITER_POOL)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, paths: WarehousePaths):
    # dbt's artefacts go to a folder of this run, removed afterwards: dagster-dbt's default
    # keeps one folder per run under target/ (~2 MB each, forever), and one shared folder would
    # mix the artefacts of two dbt processes (a `govinfo run` beside the daemon, parallel tests)
    remove_orphans(Path(tempfile.gettempdir()), "govinfo-dbt-*", r"^govinfo-dbt-(\d+)-")  # left by a kill -9
    try:  # dbt would fail on a held lock with a long log: wait for it, or fail with one line
        with connect(paths.warehouse_path, say=context.log.warning):
            pass
    except WarehouseUnavailable as exc:
        raise dg.Failure(description=str(exc)) from None
    with tempfile.TemporaryDirectory(prefix=f"govinfo-dbt-{os.getpid()}-") as target:
        try:
            yield from dbt.cli(["build"], context=context, target_path=Path(target)).stream()
        except DagsterDbtCliRuntimeError:
            raise dg.Failure(description=_explain_failure(Path(target), context.run.run_id, paths.layout)) from None
        _keep_partial_parse(Path(target))


FAILING_ROWS = 3  # rows shown per failing test


def _explain_failure(target: Path, run_id: str, layout: Layout) -> str:
    """What a failed `dbt build` found, one line per failing test with its first rows (what
    each test's query selects: the override row, the duplicated key…), and where its log is
    kept: the run's target folder and its dbt.log are removed when the step ends."""
    kept = _keep_log(target / "dbt.log", layout, run_id)
    lines = []
    try:
        results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        results = []
    failed = [r for r in results if r.get("status") in ("fail", "error")]
    for r in failed[:10]:
        lines.append(f"{r['unique_id'].split('.')[-1]}: {r.get('message') or r['status']}")
        lines += [f"    {row}" for row in _failing_rows(layout.warehouse, r)]
    head = f"dbt build failed ({len(failed)} failing: nothing was published)" if failed else "dbt build failed"
    return "\n".join([head, *lines, f"dbt log: {kept}" if kept else "dbt log: not written"])


def _failing_rows(warehouse: Path, result: dict) -> list[str]:
    """The first rows a failing test's query selects (a test's rows are what it found); a
    `failure` column, where a test gives one, is the row's sentence."""
    sql = result.get("compiled_code")
    if not sql or result.get("status") != "fail":
        return []
    try:
        with connect(warehouse, read_only=True, wait=5) as con:
            cur = con.execute(f"SELECT * FROM ({sql}) LIMIT {FAILING_ROWS}")
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
    except (WarehouseUnavailable, duckdb.Error) as exc:
        return [f"(its rows could not be read: {str(exc).splitlines()[0]})"]
    if "failure" in names:
        return [str(row[names.index("failure")]) for row in rows]
    return [", ".join(f"{n}={v}" for n, v in zip(names, row)) for row in rows]


def _keep_log(log: Path, layout: Layout, run_id: str) -> Path | None:
    """Copy the build's dbt.log into the warehouse's logs folder; keep the newest few."""
    if not log.exists():
        return None
    layout.dbt_logs.mkdir(parents=True, exist_ok=True)
    kept = layout.dbt_logs / f"dbt-{run_id}.log"
    shutil.copyfile(log, kept)
    layout.keep_newest_logs("dbt-*.log")
    return kept


def _keep_partial_parse(target: Path) -> None:
    """Keep this build's partial-parse state for the next build. dagster-dbt seeds each run's
    target folder with the project's `target/partial_parse.msgpack`; that one is written by
    `dbt parse` when the definitions load, under another environment than the run's (the
    warehouse path is part of dbt's profile), so dbt discarded it and parsed the whole project
    again in every run ("Unable to do partial parsing because profile has changed", ~2 s)."""
    state = target / "partial_parse.msgpack"
    if state.exists():
        kept = PROJECT_TARGET / state.name
        tmp = kept.with_name(f".{state.name}.{os.getpid()}.tmp")
        shutil.copyfile(state, tmp)
        os.replace(tmp, kept)  # atomic: a build starting meanwhile reads the old file or this one
