with source as (select * from {{ source('raw', 'extraction_notes') }})

select document_id, seq as note_seq, kind as note_kind, message as note from source
