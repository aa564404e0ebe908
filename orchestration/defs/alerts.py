"""Alerts to maintainers (expectations.alerts; channels configured by environment or file,
off by default): the digest asset after the marts are built, with a check that fails when a
channel could not be reached, and a failure hook on both jobs for the runs that stop before
the digest (a step failed, a blocking check stopped the run)."""
import dagster as dg

from expectations.alerts import RunFailure, load_config, run_link, send_digests, send_failure

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
    summary = send_digests(paths.warehouse_path, context.run_id, config)
    for r in summary.results:
        log = context.log.warning if not r.delivered else context.log.info
        log(f"alerts: {r.channel}: {r.new_issues} new issue(s), {'delivered' if r.delivered else 'FAILED: ' + str(r.error)}")
    failed = {r.channel: r.error for r in summary.results if not r.delivered}
    yield dg.MaterializeResult(metadata={
        "channels": ", ".join(config.channels), "sent": summary.sent,
        "results": dg.MetadataValue.json([r.__dict__ for r in summary.results])})
    yield dg.AssetCheckResult(check_name="alerts_delivered", passed=not failed, severity=dg.AssetCheckSeverity.WARN,
                              metadata={"failed_channels": dg.MetadataValue.json(failed)} if failed else {})


def _failed_checks(context: dg.HookContext) -> list[dict]:
    """The blocking checks that failed with ERROR in this run, with the rows they name."""
    records = context.instance.get_records_for_run(
        context.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    out = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.passed or evaluation.severity != dg.AssetCheckSeverity.ERROR or not evaluation.blocking:
            continue  # (a rejected document's own check is not blocking: the digest lists it)
        failures = evaluation.metadata.get("failures")
        out.append({"check": evaluation.check_name, "asset": evaluation.asset_key.to_user_string(),
                    "failures": (failures.value if failures is not None else []) or []})
    return out


@dg.failure_hook
def alert_on_failure(context: dg.HookContext) -> None:
    """A failed step tells the maintainers at once, naming the blocking check and its rows:
    such a run never reaches the digest."""
    config = load_config()
    if not config.channels:
        return
    error = context.op_exception
    failure = RunFailure(run_id=context.run_id, job=context.job_name, step=context.step_key,
                         error=f"{type(error).__name__}: {error}" if error else "the step failed",
                         checks=_failed_checks(context), link=run_link(context.run_id))
    for r in send_failure(failure, config):
        log = context.log.info if r.delivered else context.log.warning
        log(f"failure alert: {r.channel}: {'delivered' if r.delivered else 'FAILED: ' + str(r.error)}")
