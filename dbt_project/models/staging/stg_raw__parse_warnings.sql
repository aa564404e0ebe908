with source as (select * from {{ source('raw', 'parse_warnings') }})

select document_id, seq as warning_seq, message as warning from source
