-- Wide: table 二 (主动公开) per agency-year, for BI. A report in the 2021 format fills the
-- first group of columns; one in the 2019 trial format fills the `_2019` group (its section
-- 二 has other columns and rows) and leaves the first NULL.
{%- set cols = {
    'regulations_issued': 'active.regulations.issued', 'regulations_repealed': 'active.regulations.repealed',
    'regulations_in_force': 'active.regulations.in_force',
    'normative_documents_issued': 'active.normative_documents.issued',
    'normative_documents_repealed': 'active.normative_documents.repealed',
    'normative_documents_in_force': 'active.normative_documents.in_force',
    'licensing_decisions': 'active.licensing.decisions', 'punishment_decisions': 'active.punishment.decisions',
    'enforcement_decisions': 'active.enforcement.decisions',
} %}
{%- set cols_2019 = {} %}
{%- for row in ['regulations', 'normative_documents'] %}
  {%- for col in ['made', 'published', 'published_total'] %}
    {%- do cols_2019.update({row ~ '_' ~ col ~ '_2019': 'active_2019.' ~ row ~ '.' ~ col}) %}
  {%- endfor %}
{%- endfor %}
{%- for row in ['licensing', 'other_services', 'punishment', 'enforcement'] %}
  {%- for col in ['items_prev_year', 'items_change', 'decisions'] %}
    {%- do cols_2019.update({row ~ '_' ~ col ~ '_2019': 'active_2019.' ~ row ~ '.' ~ col}) %}
  {%- endfor %}
{%- endfor %}
{%- do cols_2019.update({'admin_fees_items_prev_year_2019': 'active_2019.admin_fees.items_prev_year',
                         'admin_fees_items_change_2019': 'active_2019.admin_fees.items_change',
                         'procurement_items_2019': 'active_2019.procurement.items'}) %}
select
    agency_key,
    agency_name,
    division_code,
    year,
    any_value(template) as template,
    {%- for name, field in cols.items() %}
    cast(max(value) filter (where field = '{{ field }}') as bigint) as {{ name }},
    {%- endfor %}
    max(value) filter (where field = 'active.admin_fees.amount_10k_yuan') as admin_fees_10k_yuan,
    {%- for name, field in cols_2019.items() %}
    cast(max(value) filter (where field = '{{ field }}') as bigint) as {{ name }},
    {%- endfor %}
    max(value) filter (where field = 'active_2019.procurement.amount') as procurement_amount_2019,
    bool_or(uncertain) as has_uncertain_cells,
    any_value(source_file) as source_file
from {{ ref('int_report_cells_selected') }}
where table_name in ('active', 'active_2019')
group by agency_key, agency_name, division_code, year
