-- Every finding, one row each: failed within-report and cross-year rules, year gaps, years
-- out of range, all-zero reports, order-of-magnitude jumps, what the parser could not read
-- with certainty, agencies it could not place, parse warnings and rejected documents.
-- finding_source keeps apart what the published report says (agency) from what our reading is unsure of (extraction) and
-- files we could not read at all (file): a rule that fails on a cell the parser could not
-- read with certainty is never reported as the agency's error. issue_id is stable across
-- runs, so alerts can tell new issues from old; it holds the document's content hash, so two
-- files under one name (a re-upload, a rescan) are two findings, never one id twice.
{%- set first_year = 2008 %}
with selected as (select * from {{ ref('int_documents_versioned') }} where version_rank = 1),
years as (select * from {{ ref('fct_agency_year') }}),

within as (
    -- the report's own arithmetic failing is an error; its text disagreeing with its table a
    -- warning (the text may describe a wider scope); either on a doubtful cell is our reading's
    select agency_key, agency_name, year, rule, subject,
           case when rule <> 'prose_vs_table' and finding_source = 'agency' then 'error' else 'warn' end as severity,
           finding_source, expected, actual,
           case when rule = 'prose_vs_table'
                then (case when extraction_doubt then 'not checked (a cell of the table could not be read with certainty): '
                           else '' end)
                     || 'the text says ' || actual || ' but the table gives ' || expected || ': "' || statement || '"'
                when extraction_doubt
                then 'not checked: a cell of this rule could not be read with certainty (left blank); the sum read is '
                     || actual || ' against parts of ' || expected
                else 'printed total ' || actual || ' but its parts sum to ' || expected end as message,
           source_file, page, line, document_id
    from {{ ref('rec_within_report') }} where not passed
),
cross_year as (
    select agency_key, agency_name, year, rule, subject, 'warn', finding_source, expected, actual,
           case when extraction_doubt then 'not checked (a report of the pair was read with uncertain cells): ' else '' end
           || 'year ' || (year - 1) || ' implies ' || expected || ', year ' || year || ' prints ' || actual,
           source_file, null::integer, null::integer, document_id
    from {{ ref('rec_cross_year') }} where not passed
),
extraction as (
    select selected.agency_key, selected.canonical_name, selected.year, 'extraction_uncertain', 'parser', 'warn',
           'extraction', null::bigint, null::bigint, n.note, selected.source_file, null::integer, null::integer, selected.document_id
    from {{ ref('stg_raw__extraction_notes') }} as n
    join selected on selected.document_id = n.document_id
    where n.note_kind = 'uncertain'
),
ordered as (
    select *, lag(year) over (partition by agency_key order by year) as previous_year,
           lag(new_received) over (partition by agency_key order by year) as previous_new_received
    from years
),
gaps as (
    select agency_key, agency_name, year, 'year_gap', 'years', 'info', 'agency', null::bigint, null::bigint,
           'no report loaded for ' || (previous_year + 1) ||
           case when year - previous_year > 2 then '–' || (year - 1) else '' end ||
           ': cross-year rules not checked across the gap',
           source_file, null::integer, null::integer, document_id
    from ordered where year - previous_year > 1
),
jumps as (
    select agency_key, agency_name, year, 'magnitude_jump', 'new_received', 'warn', 'agency',
           previous_new_received::bigint, new_received::bigint,
           'new requests went from ' || previous_new_received || ' to ' || new_received || ' in a year',
           source_file, null::integer, null::integer, document_id
    from ordered
    where previous_year = year - 1 and greatest(new_received, previous_new_received) >= 10
      and (new_received > 10 * previous_new_received or previous_new_received > 10 * new_received)
),
year_range as (
    select agency_key, canonical_name, year, 'year_out_of_range', 'year', 'error', 'agency', null::bigint, year::bigint,
           'report year ' || year || ' is before {{ first_year }} or in the future',
           source_file, null::integer, null::integer, document_id
    from selected where year < {{ first_year }} or year > extract(year from current_date)
),
all_zero as (
    select any_value(agency_key), any_value(agency_name), any_value(year), 'all_zero', 'report', 'warn', 'agency',
           null::bigint, 0::bigint, 'every cell of the report is 0 or blank',
           any_value(source_file), null::integer, null::integer, document_id
    from {{ ref('int_report_cells_selected') }}
    group by document_id
    having coalesce(max(abs(value)), 0) = 0 and not bool_or(uncertain)
),
unresolved as (
    -- whose report it is could not be decided: its cross-year rules are not checked
    select agency_key, canonical_name, year, 'agency_unresolved', 'agency', 'warn', 'extraction', null::bigint,
           null::bigint, 'agency not placed (' || agency_evidence || '): cross-year rules not checked; '
           || 'add a reviewed override to seeds/agency_overrides.csv', source_file, null::integer, null::integer, document_id
    from selected where agency_key like 'unresolved:%'
),
stale as (
    -- a reviewer's decision made on another reading than the parser's today: a second look
    select agency_key, agency_name, year, 'review_stale', field, 'warn', 'extraction', reviewed_reading::bigint,
           parser_value::bigint,
           'reviewed by ' || coalesce(reviewed_by, '?') || ' when the parser read '
           || coalesce(reviewed_reading::varchar, 'nothing') || '; it now reads '
           || coalesce(parser_value::varchar, 'nothing') || ': '
           || case value_source when 'corrected' then 'the correction to ' || value || ' still applies'
                   else 'the confirmation no longer applies' end,
           source_file, page, line, document_id
    from {{ ref('int_report_cells_selected') }} where review_stale
),
warnings as (
    -- one finding per distinct message: a parse that printed one message twice (two rows of
    -- one line, neither recognised) is one thing to look at, and must not break issue_id
    select distinct selected.agency_key, selected.canonical_name, selected.year, 'parse_warning', 'parser', 'warn',
           'extraction', null::bigint, null::bigint, w.warning, selected.source_file, null::integer, null::integer, selected.document_id
    from {{ ref('stg_raw__parse_warnings') }} as w
    join selected on selected.document_id = w.document_id
),
rejected as (
    select null, null, null::integer, 'rejected_document', 'file', 'error', 'file', null::bigint, null::bigint,
           q.reason, q.source_file, null::integer, null::integer, q.document_sha256
    from {{ ref('stg_raw__quarantine') }} as q
),
issues as (
    select * from within
    union all select * from cross_year
    union all select * from gaps
    union all select * from jumps
    union all select * from year_range
    union all select * from all_zero
    union all select * from extraction
    union all select * from unresolved
    union all select * from warnings
    union all select * from stale
    union all select * from rejected
),

keyed as (
    select
        md5(concat_ws('|', rule, coalesce(issues.agency_key, ''), coalesce(year::varchar, ''), subject,
                      coalesce(source_file, ''), coalesce(message, ''), coalesce(issues.document_id, ''))) as issue_id,
        issues.agency_key,
        agencies.division_code,
        issues.* exclude (agency_key)
    from issues
    left join {{ ref('dim_agency') }} as agencies on agencies.agency_key = issues.agency_key
)

select
    keyed.*,
    -- a reviewer confirmed the finding as how the agency printed its report: kept, not alerted
    printed.document_id is not null as confirmed_as_printed,
    printed.reviewed_by,
    printed.review_note
from keyed
left join {{ ref('stg_raw__corrections') }} as printed
       on printed.in_force and printed.action = 'printed_as_is' and printed.document_id = keyed.document_id
      and printed.rule = keyed.rule and printed.subject = keyed.subject
