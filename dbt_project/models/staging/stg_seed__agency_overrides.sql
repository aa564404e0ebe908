-- Reviewed agency overrides (seeds/agency_overrides.csv), trimmed; an empty cell is null.
select
    lower(trim(match_on)) as match_on,
    regexp_replace(trim(match_value), '\s', '', 'g') as match_value,
    nullif(trim(division_code), '') as division_code,
    nullif(regexp_replace(trim(kind), '\s', '', 'g'), '') as kind,
    trim(reason) as reason
from {{ ref('agency_overrides') }}
