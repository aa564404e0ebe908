-- Wide: table 二 (主动公开) per agency-year, for BI.
{%- set cols = {
    'regulations_issued': 'active.regulations.issued', 'regulations_repealed': 'active.regulations.repealed',
    'regulations_in_force': 'active.regulations.in_force',
    'normative_documents_issued': 'active.normative_documents.issued',
    'normative_documents_repealed': 'active.normative_documents.repealed',
    'normative_documents_in_force': 'active.normative_documents.in_force',
    'licensing_decisions': 'active.licensing.decisions', 'punishment_decisions': 'active.punishment.decisions',
    'enforcement_decisions': 'active.enforcement.decisions',
} %}
select
    agency_key,
    agency_name,
    year,
    {%- for name, field in cols.items() %}
    cast(max(value) filter (where field = '{{ field }}') as bigint) as {{ name }},
    {%- endfor %}
    max(value) filter (where field = 'active.admin_fees.amount_10k_yuan') as admin_fees_10k_yuan,
    any_value(source_file) as source_file
from {{ ref('int_report_cells_selected') }}
where table_name = 'active'
group by agency_key, agency_name, year
