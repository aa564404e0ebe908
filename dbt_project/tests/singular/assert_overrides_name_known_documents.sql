{{ config(meta={'dagster': {'ref': {'name': 'stg_seed__agency_overrides'}}}) }}
-- A `document` override must name a document the warehouse holds (its sha256 as
-- `document_id`): one that names none (a typo, a shortened id, the id of another copy) would
-- be ignored without a word, leaving the agency where the maintainer meant to move it from.
select
    'agency_overrides.csv: document ' || overrides.match_value
        || ' is no document of the warehouse (use the full document_id of marts.fct_report_versions)' as failure,
    overrides.match_value
from {{ ref('stg_seed__agency_overrides') }} as overrides
where overrides.match_on = 'document'
  and overrides.match_value not in (select document_id from {{ source('raw', 'documents') }})
