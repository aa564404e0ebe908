"""Publication: after the marts are built and their blocking checks pass, a read-only
snapshot (DuckDB + parquet) and the HTML overview, swapped in together (publishing/)."""
import dagster as dg

from publishing.overview import render_overview
from publishing.snapshot import OVERVIEW_NAME, publish

from .resources import WarehousePaths

MART_DEPS = ["dim_agency", "dim_agency_alias", "dim_division", "fct_agency_year", "fct_report_cells", "fct_report_versions",
             "fct_application_outcomes", "fct_review_litigation", "fct_active_disclosure", "agg_region_year",
             "rec_within_report", "rec_cross_year", "data_quality_issues", "fct_review_history"]


@dg.asset(key=["published", "marts_snapshot"], group_name="published", kinds={"duckdb", "parquet", "html"},
          deps=[dg.AssetKey(["marts", m]) for m in MART_DEPS],
          description="What analysts read: published/govinfo.duckdb (read-only copy of every mart), "
                      "published/parquet/<mart>.parquet, and published/overview.html.")
def marts_snapshot(context: dg.AssetExecutionContext, paths: WarehousePaths) -> dg.MaterializeResult:
    out = paths.layout.published

    def pages(snapshot, release):
        return render_overview(snapshot, paths.raw_path, release / OVERVIEW_NAME, layout=paths.layout,
                               served_at=out / OVERVIEW_NAME)

    pub = publish(paths.warehouse_path, out, run_id=context.run.run_id, pages=pages)
    kpis = pub.kpis
    context.log.info(f"published {len(pub.tables)} marts to {pub.snapshot} and {pub.parquet_dir}, with the "
                     f"overview {out / OVERVIEW_NAME}, all at once (release {pub.release.name})")
    return dg.MaterializeResult(metadata={
        "snapshot": dg.MetadataValue.path(str(pub.snapshot)), "parquet": dg.MetadataValue.path(str(pub.parquet_dir)),
        "overview": dg.MetadataValue.url(paths.layout.url(out / OVERVIEW_NAME)),
        "release": dg.MetadataValue.path(str(pub.release)),
        "rows": dg.MetadataValue.json(pub.tables), **kpis})
