-- Every loaded document with its agency (aliases resolved) and its version rank within its
-- agency-year. When two different documents report the same agency and year (a corrected
-- re-publication, a DOCX and a PDF of one report) the marts use version_rank = 1: the one
-- that breaks fewer within-report rules, then the latest arrived (the newest publication),
-- then the last file name;
-- the reason is recorded.
with documents as (select * from {{ ref('stg_raw__documents') }}),
aliases as (select * from {{ ref('int_agency_aliases') }}),

ranked as (
    select
        documents.*,
        aliases.agency_key,
        aliases.canonical_name,
        row_number() over (
            partition by aliases.agency_key, documents.year
            order by documents.n_violations, documents.arrived_at desc, documents.source_file desc, documents.document_id
        ) as version_rank,
        count(*) over (partition by aliases.agency_key, documents.year) as versions_in_agency_year
    from documents
    join aliases on aliases.alias_name = documents.agency_name
)

select
    *,
    case
        when versions_in_agency_year = 1 then 'only version'
        when version_rank = 1 then 'fewest rule violations, then latest arrived, then last file name'
        else 'superseded by another version of this agency-year'
    end as version_choice
from ranked
