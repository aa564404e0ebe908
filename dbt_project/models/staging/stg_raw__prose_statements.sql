with source as (select * from {{ source('raw', 'prose_statements') }})

select
    document_id,
    seq as statement_seq,
    statement_key,
    value as stated_value,
    unit as stated_unit,
    sentence,
    section,
    page,
    line,
    string_split(cells, ',') as cells,
    skipped_reason,
    skipped_reason is null as compared
from source
