-- Every loaded document with its agency (int_agency_keys: division and kind) and its version rank within its
-- agency-year. When two different documents report the same agency and year (a corrected
-- re-publication, a DOCX and a PDF of one report) the marts use version_rank = 1: the one
-- the pipeline saw last (arrived_at, from the landing index: a correction wins even when it
-- breaks a rule, and a copy back-dated by `cp -p` is still new); among versions first seen in
-- the same scan, the one that breaks fewer within-report rules, then the newest file time,
-- then the last file name (as parsed: a rename changes no choice). The reason is recorded.
-- source_file is the name a file holds the document under now (the first, when several do),
-- so a renamed file is shown under its new name; the name it was parsed from when none does.
with documents as (select * from {{ ref('stg_raw__documents') }}),
agencies as (select * from {{ ref('int_agency_keys') }}),
present_names as (
    select document_id, min(source_file) as source_file
    from {{ ref('stg_raw__document_sources') }}
    where present
    group by document_id
),

ranked as (
    select
        documents.* exclude (division_code, agency_kind, agency_level, agency_resolution, agency_evidence,
                             agency_candidates, source_file),
        coalesce(present_names.source_file, documents.source_file) as source_file,
        agencies.agency_key,
        agencies.canonical_name,
        agencies.division_code,
        agencies.resolution as agency_resolution,
        agencies.evidence as agency_evidence,
        row_number() over (
            partition by agencies.agency_key, documents.year
            order by documents.arrived_at desc, documents.n_violations, documents.file_modified_at desc nulls last,
                     documents.source_file desc, documents.document_id
        ) as version_rank,
        count(*) over (partition by agencies.agency_key, documents.year) as versions_in_agency_year,
        -- the arrival of the next-latest version, to say why the chosen one was chosen
        nth_value(documents.arrived_at, 2) over (
            partition by agencies.agency_key, documents.year order by documents.arrived_at desc
            rows between unbounded preceding and unbounded following
        ) as second_arrived_at
    from documents
    join agencies on agencies.document_id = documents.document_id
    left join present_names on present_names.document_id = documents.document_id
)

select
    *,
    case
        when versions_in_agency_year = 1 then 'only version'
        when version_rank = 1 and arrived_at > second_arrived_at then 'latest arrived'
        when version_rank = 1 then 'arrived together: fewest rule violations, then newest file time, then last file name'
        else 'superseded by another version of this agency-year'
    end as version_choice
from ranked
