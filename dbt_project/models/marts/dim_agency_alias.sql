-- Every name an agency printed, with the agency it resolves to.
select alias_name, agency_key, canonical_name as agency_name, alias_key, n_documents
from {{ ref('int_agency_aliases') }}
