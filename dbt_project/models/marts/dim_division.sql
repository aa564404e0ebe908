-- China's administrative divisions (行政区划代码) the agencies are keyed by: every province,
-- prefecture and county of 2000-2024 by its stable code, with the names and codes above it,
-- and how many loaded agencies each holds. 100000 stands for the national level.
with divisions as (select * from {{ ref('stg_raw__divisions') }}),
agencies as (select division_code, count(*) as agencies from {{ ref('dim_agency') }} group by division_code)

select
    divisions.*,
    coalesce(agencies.agencies, 0) as agencies
from divisions
left join agencies on agencies.division_code = divisions.division_code
