-- Rules across consecutive years, recorded on the later year, only where both are loaded.
-- carryover: 上年结转 total (N) = 结转下年度 total (N-1)
-- in_force_chain: 现行有效 (N) = 现行有效 (N-1) + 本年制发 (N) - 本年废止 (N)
with years as (select * from {{ ref('fct_agency_year') }}),

pairs as (
    select cur.*, prev.carried_forward as prev_carried_forward,
           prev.regulations_in_force as prev_regulations_in_force,
           prev.normative_documents_in_force as prev_normative_documents_in_force,
           prev.source_file as previous_source_file
    from years as cur
    join years as prev on prev.agency_key = cur.agency_key and prev.year = cur.year - 1
),

checks as (
    select agency_key, agency_name, year, 'carryover' as rule, 'total' as subject,
           cast(coalesce(prev_carried_forward, 0) as double) as expected,
           cast(coalesce(carried_over, 0) as double) as actual,
           source_file, previous_source_file, document_id
    from pairs
    {%- for subject in ['regulations', 'normative_documents'] %}
    union all
    select agency_key, agency_name, year, 'in_force_chain', '{{ subject }}',
           cast(coalesce(prev_{{ subject }}_in_force, 0) + coalesce({{ subject }}_issued, 0)
                - coalesce({{ subject }}_repealed, 0) as double),
           cast(coalesce({{ subject }}_in_force, 0) as double),
           source_file, previous_source_file, document_id
    from pairs
    {%- endfor %}
)

select
    agency_key, agency_name, year, rule, subject, expected, actual,
    abs(expected - actual) <= 1e-6 as passed,
    source_file, previous_source_file, document_id
from checks
