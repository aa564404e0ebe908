-- Every within-report rule check of every selected report (rule terms: ingestion/rules.py).
-- A blank cell counts as 0 here, and only here.
with cells as (select * from {{ ref('int_report_cells_selected') }}),
terms as (select * from {{ ref('stg_raw__rule_terms') }}),

checks as (
    select
        cells.document_id,
        terms.rule,
        terms.subject,
        coalesce(sum(coalesce(cells.value, 0)) filter (where terms.side = 'expected'), 0) as expected,
        coalesce(sum(coalesce(cells.value, 0)) filter (where terms.side = 'actual'), 0) as actual,
        -- where the printed total stands, so a maintainer can open the page
        min(cells.page) filter (where terms.side = 'actual') as page
    from terms
    join cells on cells.field = terms.field
    group by all
),

documents as (select * from {{ ref('int_documents_versioned') }} where version_rank = 1)

select
    documents.agency_key,
    documents.canonical_name as agency_name,
    documents.year,
    checks.rule,
    checks.subject,
    checks.expected,
    checks.actual,
    abs(checks.expected - checks.actual) <= 1e-6 as passed,
    documents.source_file,
    checks.page,
    documents.document_id
from checks
join documents on documents.document_id = checks.document_id
