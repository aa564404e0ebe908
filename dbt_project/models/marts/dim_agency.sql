-- One row per agency: key = (division code, normalised kind), with the division's names and
-- codes at every level, every name the agency printed, and the years it reported.
with agencies as (select * from {{ ref('int_agency_keys') }}),
divisions as (select * from {{ ref('stg_raw__divisions') }}),
chosen as (select * from {{ ref('int_documents_versioned') }} where version_rank = 1),

per_key as (
    select
        agency_key,
        any_value(canonical_name) as agency_name,
        any_value(division_code) as division_code,
        any_value(agency_kind) as kind,
        bool_or(printed_level = '乡级') as township,
        -- the weakest way any of its documents was placed
        case when bool_or(resolution = 'unresolved') then 'unresolved'
             when bool_or(resolution = 'override') then 'override'
             when bool_or(resolution = 'body') then 'body'
             else 'title' end as resolution,
        string_agg(distinct agency_name, ' | ' order by agency_name) as aliases,
        count(distinct agency_name) as n_aliases
    from agencies
    group by agency_key
),
years as (
    select agency_key, min(year) as first_year, max(year) as last_year, count(*) as report_years
    from chosen group by agency_key
)

select
    per_key.agency_key,
    per_key.agency_name,
    per_key.division_code,
    divisions.division_name,
    case when per_key.township then '乡级' else divisions.level end as level,
    per_key.kind,
    divisions.province_code,
    divisions.province_name,
    divisions.prefecture_code,
    divisions.prefecture_name,
    divisions.county_code,
    divisions.county_name,
    per_key.resolution,
    per_key.aliases,
    per_key.n_aliases,
    years.first_year,
    years.last_year,
    coalesce(years.report_years, 0) as report_years
from per_key
left join divisions on divisions.division_code = per_key.division_code
left join years on years.agency_key = per_key.agency_key
