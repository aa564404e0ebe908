with source as (select * from {{ source('raw', 'quarantine') }})

select sha256 as document_sha256, source_file, reason, quarantined_at from source
