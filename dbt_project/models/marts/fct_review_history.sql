-- Every reviewer's decision, in the order it was made (corrections.csv, line by line), with the
-- agency-year of its document: the audit trail behind fct_report_cells.value_source,
-- data_quality_issues.confirmed_as_printed and fct_agency_year.review_status.
with decisions as (select * from {{ ref('stg_raw__corrections') }}),
documents as (select * from {{ ref('int_documents_versioned') }})

select
    documents.agency_key,
    documents.canonical_name as agency_name,
    documents.year,
    decisions.document_id,
    documents.source_file,
    decisions.action,
    decisions.field,
    decisions.value,
    decisions.rule,
    decisions.subject,
    decisions.parser_value,
    decisions.reviewed_by,
    decisions.reviewed_at,
    decisions.review_note,
    decisions.line,
    decisions.in_force
from decisions
left join documents on documents.document_id = decisions.document_id
