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
        printed as printed_text
    from source
)

select * from renamed
