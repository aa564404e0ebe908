-- Long: administrative review and litigation over disclosure, by proceeding and result.
select
    agency_key,
    agency_name,
    division_code,
    year,
    row_name as proceeding,
    col_name as result,
    col_name = 'total' as is_total,
    cast(value as bigint) as count,
    source_file,
    page
from {{ ref('int_report_cells_selected') }}
where table_name = 'review_litigation'
