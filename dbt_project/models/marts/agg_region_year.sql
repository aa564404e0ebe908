-- Totals by region and year at every level: each agency-year counts once in its province, once
-- in its prefecture and (a county's or township's agency) once in its county. region_level says
-- which: 省级, 市级, 县级; national bodies are one region 国家级 (100000); agencies not placed
-- in any division are one region 未知 with no code. The 省级 rows plus 国家级 and 未知 add up
-- to the whole warehouse.
-- The measures summed are fct_agency_year's of tables 三 and 四 (int_field_measures): requests
-- and their outcomes, reviews and suits.
{%- set measures = dbt_utils.get_column_values(ref('int_field_measures'), 'measure', order_by='max(position), 1',
                                               where="table_name in ('applications', 'review_litigation')") %}
with facts as (
    select fct.*, dim.level, dim.province_code, dim.province_name, dim.prefecture_code, dim.prefecture_name,
           dim.county_code, dim.county_name
    from {{ ref('fct_agency_year') }} as fct
    join {{ ref('dim_agency') }} as dim on dim.agency_key = fct.agency_key
),

placed as (
    select '省级' as region_level, province_code as region_code, province_name as region_name, facts.*
    from facts where province_code is not null
    union all
    select '市级', prefecture_code, prefecture_name, facts.* from facts where prefecture_code is not null
    union all
    select '县级', county_code, county_name, facts.* from facts where county_code is not null
    union all
    select '国家级', division_code, '中华人民共和国', facts.* from facts where level = '国家级'
    union all
    select '未知', null, '未知', facts.* from facts where division_code is null
)

select
    region_level,
    region_code,
    any_value(region_name) as region_name,
    any_value(province_code) as province_code,
    any_value(province_name) as province_name,
    year,
    count(distinct agency_key) as agencies,
    count(*) as reports,
    {%- for m in measures or [] %}
    cast(sum({{ m }}) as bigint) as {{ m }},
    {%- endfor %}
    round(sum(refused) / nullif(sum(total_processed), 0), 4) as refused_share
from placed
group by region_level, region_code, year
