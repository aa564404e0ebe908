with source as (select * from {{ source('raw', 'fields') }})

select field, table_name, row_name, col_name, row_label_zh, col_label_zh, unit, templates,
       outcome_group, measures, position
from source
