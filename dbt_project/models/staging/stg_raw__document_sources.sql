with source as (select * from {{ source('raw', 'document_sources') }})

select document_id, source_file from source
