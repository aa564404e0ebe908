"""What starts runs: a sensor on the landing folder and a daily schedule.

`landing_sensor` scans the landing folder (ingestion.load.landing: only new or changed files are
hashed), adds a dynamic partition for every document not seen before (its key: a file name
and the start of its sha256, orchestration.partition_keys) and requests
`build_warehouse` runs over them, at most MAX_DOCUMENTS_PER_RUN each; the run key names the
partitions, so a document is never requested twice. `daily_rebuild` runs `rebuild_marts`
every night. Both start stopped: switch them on in the UI (Automation) or with
`dagster sensor start landing_sensor` / `dagster schedule start daily_rebuild`.
"""

import hashlib
import os

import dagster as dg

from ingestion.load.landing import STILL_WRITING, LandingIndex

from ..partition_keys import document_keys
from .checks import CHECKS_TAG, FULL
from .ingestion import DOCUMENTS
from .jobs import REBUILD_JOB, WAREHOUSE_JOB
from .resources import WarehousePaths

MAX_DOCUMENTS_PER_RUN = 2000
SENSOR_INTERVAL = int(os.environ.get("GOVINFO_SENSOR_INTERVAL", "30"))


def settle_seconds() -> float:
    """A file modified less than this many seconds ago may still be copying: a later tick
    takes it (GOVINFO_SETTLE_SECONDS)."""
    return float(os.environ.get("GOVINFO_SETTLE_SECONDS", "10"))
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def file_tags(names: list[str], limit: int = 20) -> dict[str, str]:
    """Run tags that name the files a run reads (tags stay short: the first few, then a count)."""
    shown = ", ".join(names[:limit]) + (f" … (+{len(names) - limit} more)" if len(names) > limit else "")
    return {"govinfo/files": shown[:4000], "govinfo/documents": str(len(names))}


def range_tags(block: list[str], names: dict[str, list[str]], trigger: str) -> dict[str, str]:
    """Tags of a run over a contiguous block of partitions (keys → their files): the range,
    what started it, its files."""
    files = [names[key][0] for key in block if names.get(key)]
    return {RANGE_START: block[0], RANGE_END: block[-1], "govinfo/trigger": trigger, **file_tags(files)}


def partition_runs(new: list[str], names: dict[str, list[str]], job_name: str, trigger: str) -> list[dg.RunRequest]:
    """One run request per block of new partitions (contiguous: they are added in this order)."""
    runs = []
    for i in range(0, len(new), MAX_DOCUMENTS_PER_RUN):
        block = new[i:i + MAX_DOCUMENTS_PER_RUN]
        key = hashlib.sha256("\n".join(block).encode()).hexdigest()[:24]
        runs.append(dg.RunRequest(run_key=f"documents:{key}", job_name=job_name,
                                  tags=range_tags(block, names, trigger)))
    return runs


@dg.sensor(job_name=WAREHOUSE_JOB, minimum_interval_seconds=SENSOR_INTERVAL,
           default_status=dg.DefaultSensorStatus.STOPPED,
           description="New or changed files in the landing folder → one partition per document → build_warehouse.")
def landing_sensor(context: dg.SensorEvaluationContext, paths: WarehousePaths) -> dg.SensorResult:
    with LandingIndex(paths.layout.landing_index, paths.layout.objects) as index:
        scan = index.scan(paths.raw_path, settle=settle_seconds())
    for name, why in scan.new_problems.items():  # reported once; the quarantine lists them
        if why != STILL_WRITING:
            context.log.warning(f"landing folder: {name}: {why}")
    known = context.instance.get_dynamic_partitions(DOCUMENTS.name)
    keys = document_keys(known, scan.by_sha)
    for sha in scan.by_sha.keys() - keys.keys():
        context.log.warning(f"{scan.by_sha[sha][0]}: its sha256 starts as another document's: no partition")
    known = set(known)
    new = sorted(k for k in keys.values() if k not in known)
    settling = sum(1 for why in scan.problems.values() if why == STILL_WRITING)
    if not new:
        return dg.SensorResult(skip_reason=f"{scan.files} files, no new document ({scan.hashed} hashed"
                                           + (f"; {settling} still being written" if settling else "") + ")")
    context.log.info(f"{len(new)} new document(s) among {scan.files} files")
    names = {key: sorted(scan.by_sha[sha]) for sha, key in keys.items()}
    return dg.SensorResult(run_requests=partition_runs(new, names, WAREHOUSE_JOB, "landing_sensor"),
                           dynamic_partitions_requests=[DOCUMENTS.build_add_request(new)])


daily_rebuild = dg.ScheduleDefinition(
    name="daily_rebuild", job_name=REBUILD_JOB, cron_schedule="0 3 * * *", execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.STOPPED, tags={"govinfo/trigger": "daily_rebuild", CHECKS_TAG: FULL},
    description="Every night at 03:00 (China time): load what is pending, rebuild the marts, run every check "
                "on every row.")
