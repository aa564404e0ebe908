with source as (select * from {{ source('raw', 'documents') }}),

renamed as (
    select
        -- ids
        document_id,
        -- report
        trim(agency_name) as agency_name,
        cast(year as integer) as year,
        -- who published it, as the parser resolved the printed name (int_agency_keys adds overrides)
        division_code,
        agency_kind,
        agency_level,
        agency_resolution,
        agency_evidence,
        agency_candidates,
        -- file
        source_file,
        source_format,
        cast(bytes as bigint) as file_bytes,
        pages,
        -- parse
        parser_version,
        template,
        extraction_status,
        cast(n_uncertain_cells as integer) as n_uncertain_cells,
        n_warnings,
        n_violations,
        loaded_at,
        batch_id,
        arrived_at,
        file_modified_at
    from source
)

select * from renamed
