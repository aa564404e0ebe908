-- Every within-report rule check of every selected report (rule terms: the [[rules]] of
-- ingestion/parser/templates/*.toml). A blank cell counts as 0 here, and only here. A check
-- on a cell the parser could not read with certainty (NULL, uncertain) is an extraction
-- finding when it fails, never the agency's error: finding_source says which.
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
        min(cells.page) filter (where terms.side = 'actual') as page,
        bool_or(cells.uncertain) as extraction_doubt
    from terms
    join cells on cells.field = terms.field
    group by all
),

documents as (select * from {{ ref('int_documents_versioned') }} where version_rank = 1)

select
    documents.agency_key,
    documents.canonical_name as agency_name,
    documents.division_code,
    documents.year,
    checks.rule,
    checks.subject,
    -- the rules are over counts: whole numbers (a blank counts as 0)
    cast(checks.expected as bigint) as expected,
    cast(checks.actual as bigint) as actual,
    abs(checks.expected - checks.actual) <= 1e-6 as passed,
    checks.extraction_doubt,
    case when checks.extraction_doubt then 'extraction' else 'agency' end as finding_source,
    documents.extraction_status,
    documents.source_file,
    checks.page,
    documents.document_id
from checks
join documents on documents.document_id = checks.document_id
