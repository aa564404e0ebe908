{{ config(meta={'dagster': {'ref': {'name': 'fct_report_cells'}}}) }}
-- Every agency-year in the marts carries all 207 canonical cells (blank ones as NULL).
-- A shortfall means the pipeline lost cells: error severity.
select agency_key, year, count(*) as n_cells
from {{ ref('fct_report_cells') }}
group by agency_key, year
having count(*) <> (select count(*) from {{ ref('stg_raw__fields') }})
