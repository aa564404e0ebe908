with source as (select * from {{ source('raw', 'report_cells') }}),

renamed as (
    select
        document_id,
        field,
        cast(value as double) as value,
        coalesce(uncertain, false) as uncertain,
        -- provenance: where the number was printed
        page,
        line,
        row_label as printed_row_label,
        col_label as printed_col_label,
        printed as printed_text,
        -- a cell read by OCR from a scanned page (null otherwise)
        ocr_confidence,
        ocr_checked
    from source
)

select * from renamed
