-- Long: how each agency-year's requests were handled, by applicant type and outcome.
-- applicant_type 'total' is the printed 总计 column: sum the six types OR read the total,
-- never both. count is NULL where the report printed a blank. The outcome rows and their
-- groups are the contract's (its outcome_group column).
with cells as (
    select * from {{ ref('int_report_cells_selected') }}
    where table_name = 'applications' and outcome_group is not null
)

select
    agency_key,
    agency_name,
    division_code,
    year,
    col_name as applicant_type,
    col_name = 'total' as is_total,
    outcome_group,
    row_name as outcome,
    row_label_zh as outcome_label_zh,
    cast(value as bigint) as count,
    source_file,
    page
from cells
