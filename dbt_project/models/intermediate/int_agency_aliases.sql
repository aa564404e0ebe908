-- Printed names grouped into agencies by alias key; the canonical name of an agency is its
-- longest printed name (the most complete 全称), ties broken alphabetically: deterministic.
with names as (select * from {{ ref('stg_raw__agencies') }}),
used as (
    select agency_name, count(*) as n_documents from {{ ref('stg_raw__documents') }} group by agency_name
)

select
    names.agency_name as alias_name,
    names.agency_key,
    names.alias_key,
    first_value(names.agency_name) over (
        partition by names.agency_key order by length(names.agency_name) desc, names.agency_name
    ) as canonical_name,
    coalesce(used.n_documents, 0) as n_documents,
    names.province, names.city, names.county, names.level, names.kind
from names
left join used on used.agency_name = names.agency_name
