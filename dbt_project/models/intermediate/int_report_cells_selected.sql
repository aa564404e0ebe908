-- The cells of the document chosen for each agency-year, with the field contract's labels and
-- the reviewers' decisions applied (stg_raw__corrections): a corrected cell has the reviewer's
-- value, a confirmed one the parser's; both are certain from then on, and the rules that
-- read them (rec_within_report) judge them again. value_source says where each value came from.
-- A decision made on another reading than today's (a re-parse read the cell differently) is
-- stale: a correction still applies, a confirmation no longer does, and both are flagged
-- (review_stale; data_quality_issues rule review_stale) for a second look.
with documents as (
    select * from {{ ref('int_documents_versioned') }} where version_rank = 1
),
cells as (select * from {{ ref('stg_raw__report_cells') }}),
reviewed as (select * from {{ ref('stg_raw__corrections') }} where in_force and action in ('correct', 'confirm')),
joined as (
    select
        cells.*,
        reviewed.action,
        reviewed.value as reviewed_value,
        reviewed.reviewed_by,
        reviewed.review_note,
        reviewed.parser_value as reviewed_reading,
        reviewed.action is not null and reviewed.parser_value is distinct from cells.value as review_stale
    from cells
    left join reviewed on reviewed.document_id = cells.document_id and reviewed.field = cells.field
),
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
    case when cells.action = 'correct' then cells.reviewed_value else cells.value end as value,
    cells.uncertain and (cells.action is null or (cells.action = 'confirm' and cells.review_stale)) as uncertain,
    case when cells.action = 'correct' then 'corrected'
         when cells.action = 'confirm' and not cells.review_stale then 'confirmed'
         else 'parser' end as value_source,
    cells.value as parser_value,
    cells.reviewed_by,
    cells.review_note,
    cells.review_stale,
    cells.reviewed_reading,
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
    cells.printed_col_label,
    cells.printed_text,
    cells.ocr_confidence,
    cells.ocr_checked
from joined as cells
join documents on documents.document_id = cells.document_id
join fields on fields.field = cells.field
