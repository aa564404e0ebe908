-- Every name an agency printed, with the agency it resolved to and how. One printed name can
-- belong to several agencies (鼓楼区人民政府 of 南京 and of 福州, told apart by their bodies).
select
    agency_name as alias_name,
    agency_key,
    any_value(canonical_name) as agency_name,
    any_value(division_code) as division_code,
    string_agg(distinct resolution, ', ' order by resolution) as resolution,
    count(*) as n_documents
from {{ ref('int_agency_keys') }}
group by agency_name, agency_key
