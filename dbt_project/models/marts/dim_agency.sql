with documents as (select * from {{ ref('int_documents_versioned') }} where version_rank = 1)

select
    agency_key,
    agency_name,
    min(year) as first_year,
    max(year) as last_year,
    count(*) as report_years
from documents
group by agency_key, agency_name
