-- One row per agency and year: the headline measures, one column each, as the contract's
-- `measures` column defines them (int_field_measures). A measure is NULL when every cell it
-- sums is blank; it is a double where its cells are amounts (unit 10k_yuan), else a bigint.
{%- set measures = dbt_utils.get_column_values(ref('int_field_measures'), "measure || ':' || unit",
                                               order_by='max(position), 1') %}
with cells as (select * from {{ ref('int_report_cells_selected') }}),
field_measures as (select * from {{ ref('int_field_measures') }}),
documents as (select * from {{ ref('int_documents_versioned') }} where version_rank = 1),
-- the agency-year's failed within-report rules: its own (every cell read with certainty) and
-- those on cells read with doubt (our reading's, not the agency's); apart, its text's
-- numbers that its tables contradict (prose_vs_table)
printed as (
    select document_id, rule, subject from {{ ref('stg_raw__corrections') }}
    where in_force and action = 'printed_as_is'
),
failed as (
    select document_id,
           count(*) filter (where finding_source = 'agency' and rule <> 'prose_vs_table') as n_failed_rules,
           count(*) filter (where finding_source = 'agency' and rule <> 'prose_vs_table' and not confirmed)
               as n_failed_rules_open,
           count(*) filter (where confirmed) as n_confirmed_as_printed,
           count(*) filter (where finding_source = 'extraction' and rule <> 'prose_vs_table')
               as n_failed_rules_doubtful,
           count(*) filter (where finding_source = 'agency' and rule = 'prose_vs_table') as n_text_contradictions
    from (
        select r.*, p.document_id is not null as confirmed
        from {{ ref('rec_within_report') }} as r
        left join printed as p on p.document_id = r.document_id and p.rule = r.rule and p.subject = r.subject
        where not r.passed
    )
    group by document_id
)

select
    documents.agency_key,
    documents.canonical_name as agency_name,
    documents.division_code,
    documents.year,
    {%- for measure in measures or [] %}
    {%- set name, unit = measure.split(':') %}
    cast(sum(cells.value) filter (where cells.field in (select field from field_measures where measure = '{{ name }}'))
         as {{ 'double' if unit == '10k_yuan' else 'bigint' }}) as {{ name }},
    {%- endfor %}
    documents.document_id,
    documents.source_file,
    documents.agency_name as printed_agency_name,
    documents.template,
    documents.extraction_status,
    documents.n_uncertain_cells,
    documents.n_warnings,
    coalesce(any_value(failed.n_failed_rules), 0) as n_failed_rules,
    coalesce(any_value(failed.n_failed_rules_doubtful), 0) as n_failed_rules_doubtful,
    coalesce(any_value(failed.n_text_contradictions), 0) as n_text_contradictions,
    documents.versions_in_agency_year,
    documents.version_choice,
    -- where review stands (parsed → check_failed | uncertain → corrected → confirmed): cells
    -- still read with doubt first, then the report's own failed rules not confirmed as printed
    case when count(*) filter (where cells.uncertain) > 0 then 'uncertain'
         when coalesce(any_value(failed.n_failed_rules_open), 0) > 0 then 'check_failed'
         when count(*) filter (where cells.value_source = 'corrected') > 0 then 'corrected'
         when count(*) filter (where cells.value_source = 'confirmed') > 0
              or coalesce(any_value(failed.n_confirmed_as_printed), 0) > 0 then 'confirmed'
         else 'parsed' end as review_status
from documents
join cells on cells.document_id = documents.document_id
left join failed on failed.document_id = documents.document_id
group by all
