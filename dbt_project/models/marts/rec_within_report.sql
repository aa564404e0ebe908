-- Every within-report rule check of every selected report (rule terms: the [[rules]] of
-- ingestion/parser/templates/*.toml), and prose_vs_table: each number the report's text
-- states (stg_raw__prose_statements, compared ones) against the cells it speaks of. A blank
-- cell counts as 0 here, and only here. A check on a cell the parser could not read with
-- certainty (NULL, uncertain) is an extraction finding when it fails, never the agency's
-- error: finding_source says which.
with cells as (select * from {{ ref('int_report_cells_selected') }}),
terms as (select * from {{ ref('stg_raw__rule_terms') }}),

checks as (
    select
        cells.document_id,
        terms.rule,
        terms.subject,
        coalesce(sum(coalesce(cells.value, 0)) filter (where terms.side = 'expected'), 0) as expected,
        coalesce(sum(coalesce(cells.value, 0)) filter (where terms.side = 'actual'), 0) as actual,
        -- where the printed total stands, so a maintainer can open the page (PDF) or go to the line
        min(cells.page) filter (where terms.side = 'actual') as page,
        min(cells.line) filter (where terms.side = 'actual') as line,
        bool_or(cells.uncertain) as extraction_doubt,
        null::varchar as statement
    from terms
    join cells on cells.field = terms.field
    group by all
),

statement_cells as (
    select document_id, statement_key, stated_value, sentence, page, line, unnest(cells) as field
    from {{ ref('stg_raw__prose_statements') }}
    where compared
),

prose as (
    -- expected: what the table prints; actual: what the text says
    select
        statement_cells.document_id,
        'prose_vs_table' as rule,
        statement_cells.statement_key as subject,
        coalesce(sum(coalesce(cells.value, 0)), 0) as expected,
        any_value(statement_cells.stated_value) as actual,
        any_value(statement_cells.page) as page,
        any_value(statement_cells.line) as line,
        coalesce(bool_or(cells.uncertain), false) as extraction_doubt,
        any_value(statement_cells.sentence) as statement
    from statement_cells
    left join cells on cells.document_id = statement_cells.document_id and cells.field = statement_cells.field
    group by statement_cells.document_id, statement_cells.statement_key
),

results as (
    select * from checks
    union all by name
    select * from prose
),

documents as (select * from {{ ref('int_documents_versioned') }} where version_rank = 1)

select
    documents.agency_key,
    documents.canonical_name as agency_name,
    documents.division_code,
    documents.year,
    results.rule,
    results.subject,
    -- the rules are over counts: whole numbers (a blank counts as 0)
    cast(results.expected as bigint) as expected,
    cast(results.actual as bigint) as actual,
    abs(results.expected - results.actual) <= {{ var('rule_tolerance') }} as passed,
    results.extraction_doubt,
    case when results.extraction_doubt then 'extraction' else 'agency' end as finding_source,
    documents.extraction_status,
    documents.source_file,
    results.page,
    results.line,
    results.statement,
    documents.document_id
from results
join documents on documents.document_id = results.document_id
