select * from {{ ref('int_report_cells_selected') }}
