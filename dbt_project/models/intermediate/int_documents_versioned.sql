-- Every loaded document with its version rank within its agency-year. When two different
-- documents report the same agency and year, the marts use version_rank = 1, chosen
-- deterministically (last file name, then document id) so reruns pick the same one.
with documents as (select * from {{ ref('stg_raw__documents') }})

select
    *,
    row_number() over (partition by agency_key, year order by source_file desc, document_id) as version_rank,
    count(*) over (partition by agency_key, year) as versions_in_agency_year
from documents
