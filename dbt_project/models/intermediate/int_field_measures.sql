-- Headline measure → the cells it sums, one row per pair, from the contract's `measures`
-- column (ingestion/parser/data/fields.csv): the one place fct_agency_year's measures are defined.
with fields as (select * from {{ ref('stg_raw__fields') }})

select
    unnest(string_split(measures, ' ')) as measure,
    field,
    table_name,
    unit,
    position
from fields
where measures is not null
