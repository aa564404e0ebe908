-- Long: how each agency-year's requests were handled, by applicant type and outcome.
-- applicant_type 'total' is the printed 总计 column: sum the six types OR read the total,
-- never both. count is NULL where the report printed a blank.
with cells as (
    select * from {{ ref('int_report_cells_selected') }}
    where table_name = 'applications'
      and row_name not in ('new_received', 'carried_over', 'total_processed', 'carried_forward')
)

select
    agency_key,
    agency_name,
    division_code,
    year,
    col_name as applicant_type,
    col_name = 'total' as is_total,
    case
        when row_name = 'granted' then 'granted'
        when row_name = 'partially_granted' then 'partially_granted'
        when row_name like 'withheld_%' then 'withheld'
        when row_name like 'unavailable_%' then 'unavailable'
        when row_name like 'rejected_%' then 'not_processed'
        when row_name like 'other_%' then 'other_processing'
    end as outcome_group,
    row_name as outcome,
    row_label_zh as outcome_label_zh,
    cast(value as bigint) as count,
    source_file,
    page
from cells
