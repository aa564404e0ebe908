-- Totals by province and year (agencies whose province is unknown are grouped as 未知).
{%- set measures = ['new_received', 'carried_over', 'granted', 'partially_granted', 'refused', 'unavailable',
                    'not_processed', 'other_processing', 'total_processed', 'carried_forward', 'review_total',
                    'litigation_total'] %}
select
    coalesce(dim_agency.province, '未知') as province,
    fct.year,
    count(*) as reports,
    {%- for m in measures %}
    cast(sum(fct.{{ m }}) as bigint) as {{ m }},
    {%- endfor %}
    round(sum(fct.refused) / nullif(sum(fct.total_processed), 0), 4) as refused_share
from {{ ref('fct_agency_year') }} as fct
join {{ ref('dim_agency') }} as dim_agency on dim_agency.agency_key = fct.agency_key
group by all
