"""The alert digest asset: after the marts are built, tell maintainers what is new
(expectations.alerts; channels configured by environment or file, off by default)."""
import dagster as dg

from expectations.alerts import load_config, send_digests

from .resources import WarehousePaths


@dg.asset(key=["alerts", "maintainer_digest"], group_name="alerts", kinds={"python", "email"},
          deps=[dg.AssetKey(["marts", "data_quality_issues"])],
          description="One digest per run of data-quality issues not alerted before, per configured channel.")
def maintainer_digest(context: dg.AssetExecutionContext, paths: WarehousePaths) -> dg.MaterializeResult:
    config = load_config()
    if not config.channels:
        context.log.info("alerts: no channel configured (GOVINFO_ALERTS_CONFIG or GOVINFO_ALERT_*); nothing sent")
        return dg.MaterializeResult(metadata={"channels": "none", "sent": 0})
    summary = send_digests(paths.warehouse_path, context.run_id, config)
    for r in summary.results:
        log = context.log.warning if not r.delivered else context.log.info
        log(f"alerts: {r.channel}: {r.new_issues} new issue(s), {'delivered' if r.delivered else 'FAILED: ' + str(r.error)}")
    return dg.MaterializeResult(metadata={
        "channels": ", ".join(config.channels), "sent": summary.sent,
        "results": dg.MetadataValue.json([r.__dict__ for r in summary.results])})
