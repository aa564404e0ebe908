with source as (select * from {{ source('raw', 'document_sources') }})

-- (a row written before `present` was kept is taken as present until the next load says)
select document_id, source_file, coalesce(present, true) as present from source
