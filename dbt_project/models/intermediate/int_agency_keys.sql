-- The agency of every document: key = (division code, normalised kind), as `code:kind`.
-- 1. the parser's resolution from the printed name and the body (ingestion/resolve/agencies.py);
-- 2. a reviewed override of this document, else of this printed name (seed agency_overrides),
--    replaces it: it places an unresolved agency, or splits an alias off;
-- 3. a reviewed override of the resulting key renames it (国土资源局 → 自然资源和规划局 after
--    机构改革, a merged department): its years join the new key's.
-- A document no step resolves keeps a key of its own (unresolved:<document_id>): never merged.
with documents as (select * from {{ ref('stg_raw__documents') }}),
overrides as (select * from {{ ref('stg_seed__agency_overrides') }}),

placed as (
    select
        documents.*,
        coalesce(by_document.division_code, by_name.division_code, documents.division_code) as placed_code,
        coalesce(by_document.kind, by_name.kind, documents.agency_kind) as placed_kind,
        coalesce(by_document.reason, by_name.reason) as placed_reason,
        case when by_document.match_on is not null then 'document'
             when by_name.match_on is not null then 'name' end as placed_by
    from documents
    left join overrides as by_document
        on by_document.match_on = 'document' and by_document.match_value = documents.document_id
    left join overrides as by_name
        on by_name.match_on = 'name' and by_name.match_value = regexp_replace(documents.agency_name, '\s', '', 'g')
),

renamed as (
    select
        placed.*,
        coalesce(rename.division_code, placed.placed_code) as final_code,
        coalesce(rename.kind, placed.placed_kind) as final_kind,
        rename.reason as rename_reason
    from placed
    left join overrides as rename
        on rename.match_on = 'key' and rename.match_value = placed.placed_code || ':' || placed.placed_kind
),

keyed as (
    select
        document_id,
        agency_name,
        year,
        case when final_code is null then 'unresolved:' || document_id
             else final_code || ':' || final_kind end as agency_key,
        final_code as division_code,
        final_kind as agency_kind,
        agency_level as printed_level,
        case when rename_reason is not null then 'override'
             when placed_by is not null then 'override'
             else agency_resolution end as resolution,
        case when rename_reason is not null
                 then 'override of key ' || placed_code || ':' || placed_kind || ': ' || rename_reason
             when placed_by is not null then 'override of this ' || placed_by || ': ' || placed_reason
             else agency_evidence end as evidence,
        agency_candidates
    from renamed
)

select
    *,
    -- the most complete name the agency printed (longest, then alphabetical): deterministic
    first_value(agency_name) over (
        partition by agency_key order by length(agency_name) desc, agency_name
    ) as canonical_name
from keyed
