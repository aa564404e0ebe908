with source as (select * from {{ source('raw', 'rule_terms') }})

select rule, subject, side, field from source
