-- The cells of the document chosen for each agency-year, with the field contract's labels.
with documents as (
    select * from {{ ref('int_documents_versioned') }} where version_rank = 1
),
cells as (select * from {{ ref('stg_raw__report_cells') }}),
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
    cells.value,
    cells.uncertain,
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
