{{ config(meta={'dagster': {'ref': {'name': 'int_agency_keys'}}}) }}
-- An override must not put two agencies of different printed names into one agency-year:
-- version choice would keep one report and drop the other, and the kept one would carry its
-- numbers under the other's name. Reports that print different names for one agency in one
-- year are otherwise left to the parser; it is an override that brings them together that
-- must be checked by a person. Each failing row names the override rows that did it.
with keys as (select * from {{ ref('int_agency_keys') }}),

collisions as (
    select agency_key, year
    from keys
    group by agency_key, year
    having count(distinct regexp_replace(agency_name, '\s', '', 'g')) > 1
       and bool_or(resolution = 'override')
)

select
    'agency_overrides.csv: ' || string_agg(distinct keys.evidence, '; ' order by keys.evidence) filter (where keys.resolution = 'override')
        || ' puts ' || string_agg(distinct keys.agency_name, ' and ' order by keys.agency_name)
        || ' into one agency-year (' || collisions.agency_key || ', ' || collisions.year
        || '): one report would replace the other' as failure,
    collisions.agency_key,
    collisions.year
from collisions
join keys using (agency_key, year)
group by collisions.agency_key, collisions.year
