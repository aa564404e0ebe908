-- A document or name override places an agency: it needs both the division and the kind
-- (a key override may leave either empty, keeping that part of the key).
select * from {{ ref('stg_seed__agency_overrides') }}
where match_on in ('document', 'name') and (division_code is null or kind is null)
