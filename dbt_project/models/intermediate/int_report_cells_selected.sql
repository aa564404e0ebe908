-- The cells of the document chosen for each agency-year, with the field contract's labels and
-- the reviewers' decisions applied (stg_raw__corrections): a corrected cell has the reviewer's
-- value, a confirmed one the parser's; both are certain from then on, and the rules that
-- read them (rec_within_report) judge them again. value_source says where each value came from.
with documents as (
    select * from {{ ref('int_documents_versioned') }} where version_rank = 1
),
cells as (select * from {{ ref('stg_raw__report_cells') }}),
reviewed as (select * from {{ ref('stg_raw__corrections') }} where action in ('correct', 'confirm')),
fields as (select * from {{ ref('stg_raw__fields') }})

select
    documents.agency_key,
    documents.canonical_name as agency_name,
    documents.agency_name as printed_agency_name,
    documents.division_code,
    documents.year,
    fields.table_name,
    fields.row_name,
    fields.col_name,
    cells.field,
    case when reviewed.action = 'correct' then reviewed.value else cells.value end as value,
    cells.uncertain and reviewed.action is null as uncertain,
    case reviewed.action when 'correct' then 'corrected' when 'confirm' then 'confirmed' else 'parser' end
        as value_source,
    cells.value as parser_value,
    reviewed.reviewed_by,
    reviewed.review_note,
    fields.unit,
    fields.outcome_group,
    fields.row_label_zh,
    fields.col_label_zh,
    documents.document_id,
    documents.source_file,
    documents.template,
    documents.extraction_status,
    cells.page,
    cells.line,
    cells.printed_row_label,
    cells.printed_col_label
from cells
join documents on documents.document_id = cells.document_id
join fields on fields.field = cells.field
left join reviewed on reviewed.document_id = cells.document_id and reviewed.field = cells.field
