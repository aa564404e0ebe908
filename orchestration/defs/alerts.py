"""Alerts to maintainers (alerting.alerts; channels configured by environment or file,
off by default): the digest asset after the marts are built, with a check that fails when a
channel could not be reached, and a failure hook on both jobs for the runs that stop before
the digest (a step failed, a blocking check stopped the run)."""
import dagster as dg

from alerting.alerts import RunFailure, load_config, run_link, send_digests, send_failure

from .resources import WarehousePaths

DIGEST = dg.AssetKey(["alerts", "maintainer_digest"])


@dg.asset(key=DIGEST, group_name="alerts", kinds={"python", "email"},
          deps=[dg.AssetKey(["marts", "data_quality_issues"])],
          check_specs=[dg.AssetCheckSpec("alerts_delivered", asset=DIGEST,
                                         description="Every configured channel took the digest (a failed one is "
                                                     "retried on the next run).")],
          description="One digest per run of data-quality issues not alerted before, per configured channel.")
def maintainer_digest(context: dg.AssetExecutionContext, paths: WarehousePaths):
    config = load_config()
    if not config.channels:
        context.log.info("alerts: no channel configured (GOVINFO_ALERTS_CONFIG or GOVINFO_ALERT_*); nothing sent")
        yield dg.MaterializeResult(metadata={"channels": "none", "sent": 0})
        yield dg.AssetCheckResult(check_name="alerts_delivered", passed=True, metadata={"channels": "none"})
        return
    summary = send_digests(paths.warehouse_path, context.run.run_id, config)
    for r in summary.results:
        log = context.log.warning if not r.delivered else context.log.info
        log(f"alerts: {r.channel}: {r.new_issues} new issue(s), {'delivered' if r.delivered else 'FAILED: ' + str(r.error)}")
    failed = {r.channel: r.error for r in summary.results if not r.delivered}
    yield dg.MaterializeResult(metadata={
        "channels": ", ".join(config.channels), "sent": summary.sent,
        "results": dg.MetadataValue.json([r.__dict__ for r in summary.results])})
    yield dg.AssetCheckResult(check_name="alerts_delivered", passed=not failed, severity=dg.AssetCheckSeverity.WARN,
                              metadata={"failed_channels": dg.MetadataValue.json(failed)} if failed else {})


def _failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[dict]:
    """The blocking checks that failed with ERROR in a run, with the rows they name."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    out = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.passed or evaluation.severity != dg.AssetCheckSeverity.ERROR or not evaluation.blocking:
            continue  # (a rejected document's own check is not blocking: the digest lists it)
        failures = evaluation.metadata.get("failures")
        out.append({"check": evaluation.check_name, "asset": evaluation.asset_key.to_user_string(),
                    "failures": (failures.value if failures is not None else []) or []})
    return out


def _failed_steps(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str]]:
    """(step, error) of each step that failed in a run."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records
    out = []
    for record in records:
        event = record.event_log_entry.dagster_event
        error = event.event_specific_data.error
        out.append((event.step_key, f"{error.cls_name}: {error.message.strip()}" if error else event.message or ""))
    return out


@dg.failure_hook(required_resource_keys={"paths"})
def alert_on_failure(context: dg.HookContext) -> None:
    """A failed step tells the maintainers at once, naming the blocking check and its rows:
    such a run never reaches the digest. Recorded in the alerts ledger, so the run-failure
    sensor does not tell it again."""
    config = load_config()
    if not config.channels:
        return
    error = context.op_exception
    failure = RunFailure(run_id=context.run_id, job=context.job_name, step=context.step_key,
                         error=f"{type(error).__name__}: {error}" if error else "the step failed",
                         checks=_failed_checks(context.instance, context.run_id), link=run_link(context.run_id))
    for r in send_failure(failure, config, ledger=context.resources.paths.layout.alerts_ledger):
        log = context.log.info if r.delivered else context.log.warning
        log(f"failure alert: {r.channel}: {'delivered' if r.delivered else 'FAILED: ' + str(r.error)}")


@dg.run_failure_sensor(name="alert_on_run_failure", default_status=dg.DefaultSensorStatus.RUNNING,
                       minimum_interval_seconds=30,
                       description="Tells the maintainers of every failed govinfo run the failure hook did not "
                                   "tell: a run whose process died, was cancelled or failed before a step ran. "
                                   "Needs the daemon (`dagster-daemon run`, `dg dev`); runs of `govinfo run` "
                                   "are told by the hook.")
def alert_on_run_failure(context: dg.RunFailureSensorContext, paths: WarehousePaths) -> None:
    config = load_config()
    if not config.channels:
        return
    run = context.dagster_run
    steps = _failed_steps(context.instance, run.run_id)
    failure = RunFailure(
        run_id=run.run_id, job=run.job_name, step=", ".join(s for s, _ in steps) or "(the run, before or between steps)",
        error="; ".join(e for _, e in steps) or context.failure_event.message or "the run failed",
        checks=_failed_checks(context.instance, run.run_id), link=run_link(run.run_id))
    for r in send_failure(failure, config, ledger=paths.layout.alerts_ledger):
        context.log.info(f"failure alert: {r.channel}: {'delivered' if r.delivered else 'FAILED: ' + str(r.error)}")
