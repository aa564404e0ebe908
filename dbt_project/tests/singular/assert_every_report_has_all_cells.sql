{{ config(meta={'dagster': {'ref': {'name': 'fct_report_cells'}}}) }}
-- Every agency-year in the marts carries all the cells of its report: the 207 of the
-- contract (blank ones as NULL) and, for a report in another format, that format's own.
-- A shortfall means the pipeline lost cells: error severity.
with cells as (
    select agency_key, year, any_value(template) as template, count(*) as n_cells
    from {{ ref('fct_report_cells') }}
    group by agency_key, year
),
fields as (select * from {{ ref('stg_raw__fields') }})

select cells.agency_key, cells.year, cells.n_cells,
       (select count(*) from fields
        where list_contains(string_split(fields.templates, ','), '2021')
           or list_contains(string_split(fields.templates, ','), cells.template)) as expected_cells
from cells
where cells.n_cells <> (select count(*) from fields
                        where list_contains(string_split(fields.templates, ','), '2021')
                           or list_contains(string_split(fields.templates, ','), cells.template))
