-- Reviewers' decisions, every row of corrections.csv: the latest row (the highest line) for
-- each cell (correct, confirm) and each finding (printed_as_is) is in force; the earlier ones
-- stay as the decision's history (marts.fct_review_history).
with source as (select * from {{ source('raw', 'corrections') }}),

ranked as (
    select
        *,
        row_number() over (
            partition by document_id, action = 'printed_as_is', coalesce(field, ''), coalesce(rule, ''),
                         coalesce(subject, '')
            order by line desc
        ) as recency
    from source
)

select
    document_id,
    action,
    nullif(field, '') as field,
    value,
    nullif(rule, '') as rule,
    nullif(subject, '') as subject,
    parser_value,
    who as reviewed_by,
    cast("at" as timestamp) as reviewed_at,
    why as review_note,
    line,
    recency = 1 as in_force
from ranked
