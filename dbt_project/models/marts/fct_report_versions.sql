-- Every loaded document with the agency-year it reports, and whether the marts use it: when
-- an agency-year arrived more than once (a corrected re-publication, a DOCX and a PDF of one
-- report) the losing versions stay visible here, with the reason for the choice.
with versions as (select * from {{ ref('int_documents_versioned') }}),
sources as (
    select document_id, list(source_file order by source_file) as source_files
    from {{ ref('stg_raw__document_sources') }} group by document_id
)

select
    versions.agency_key,
    versions.canonical_name as agency_name,
    versions.division_code,
    versions.year,
    versions.document_id,
    versions.agency_name as printed_agency_name,
    versions.source_file,
    coalesce(sources.source_files, [versions.source_file]) as source_files,
    versions.source_format,
    versions.n_violations,
    versions.n_warnings,
    versions.arrived_at,
    versions.file_modified_at,
    versions.loaded_at,
    versions.batch_id,
    versions.version_rank,
    versions.version_rank = 1 as is_chosen,
    versions.versions_in_agency_year,
    versions.version_choice
from versions
left join sources on sources.document_id = versions.document_id
