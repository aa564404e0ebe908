with source as (select * from {{ source('raw', 'divisions') }})

select
    division_code,
    division_name,
    level,
    province_code,
    province_name,
    prefecture_code,
    prefecture_name,
    county_code,
    county_name,
    first_year,
    last_year
from source
