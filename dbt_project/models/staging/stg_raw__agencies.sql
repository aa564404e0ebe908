with source as (select * from {{ source('raw', 'agencies') }})

select agency_name, alias_key, agency_key, province, city, county, level, kind from source
