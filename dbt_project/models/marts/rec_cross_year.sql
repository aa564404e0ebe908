-- Rules across consecutive years, recorded on the later year, only where both are loaded.
-- carryover: 上年结转 total (N) = 结转下年度 total (N-1)
-- in_force_chain: 现行有效 (N) = 现行有效 (N-1) + 本年制发 (N) - 本年废止 (N), only between two
--   reports in the 2021 format (the 2019 trial format prints no 现行有效)
-- A failed check on a report the parser read with uncertain cells is an extraction finding.
with years as (select * from {{ ref('fct_agency_year') }}),

pairs as (
    select cur.*, prev.carried_forward as prev_carried_forward,
           prev.regulations_in_force as prev_regulations_in_force,
           prev.normative_documents_in_force as prev_normative_documents_in_force,
           prev.source_file as previous_source_file,
           prev.template as previous_template,
           cur.extraction_status = 'uncertain' or prev.extraction_status = 'uncertain' as extraction_doubt
    from years as cur
    join years as prev on prev.agency_key = cur.agency_key and prev.year = cur.year - 1
),

checks as (
    select agency_key, agency_name, division_code, year, 'carryover' as rule, 'total' as subject,
           cast(coalesce(prev_carried_forward, 0) as bigint) as expected,
           cast(coalesce(carried_over, 0) as bigint) as actual,
           source_file, previous_source_file, document_id, extraction_doubt
    from pairs
    {%- for subject in ['regulations', 'normative_documents'] %}
    union all
    select agency_key, agency_name, division_code, year, 'in_force_chain', '{{ subject }}',
           cast(coalesce(prev_{{ subject }}_in_force, 0) + coalesce({{ subject }}_issued, 0)
                - coalesce({{ subject }}_repealed, 0) as bigint),
           cast(coalesce({{ subject }}_in_force, 0) as bigint),
           source_file, previous_source_file, document_id, extraction_doubt
    from pairs
    where template = '2021' and previous_template = '2021'
    {%- endfor %}
)

select
    agency_key, agency_name, division_code, year, rule, subject, expected, actual,
    abs(expected - actual) <= {{ var('rule_tolerance') }} as passed,
    extraction_doubt,
    case when extraction_doubt then 'extraction' else 'agency' end as finding_source,
    source_file, previous_source_file, document_id
from checks
