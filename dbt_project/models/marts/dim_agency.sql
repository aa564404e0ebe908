-- One row per agency (printed names grouped by alias key), described by its canonical name.
with aliases as (select * from {{ ref('int_agency_aliases') }}),
documents as (select * from {{ ref('int_documents_versioned') }} where version_rank = 1),

agencies as (
    select agency_key, canonical_name, count(*) as n_aliases
    from aliases group by agency_key, canonical_name
),
canonical as (select * from aliases where alias_name = canonical_name),
years as (
    select agency_key, min(year) as first_year, max(year) as last_year, count(*) as report_years
    from documents group by agency_key
)

select
    agencies.agency_key,
    agencies.canonical_name as agency_name,
    canonical.province,
    canonical.city,
    canonical.county,
    canonical.level,
    canonical.kind,
    agencies.n_aliases,
    years.first_year,
    years.last_year,
    coalesce(years.report_years, 0) as report_years
from agencies
join canonical on canonical.agency_key = agencies.agency_key
left join years on years.agency_key = agencies.agency_key
