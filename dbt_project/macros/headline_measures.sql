{#- Headline measures of fct_agency_year: measure name → the cells whose values it sums.
    One place, so the wide mart and its docs cannot drift apart. A measure is NULL when
    every cell it sums is blank. -#}
{% macro headline_measures() %}
  {%- set ns = namespace(refused=[], unavailable=[], not_processed=[], other=[]) -%}
  {%- for r in ['state_secret', 'prohibited_by_law', 'security_stability', 'third_party_rights',
                'internal_affairs', 'process_information', 'enforcement_case_file', 'administrative_query'] -%}
    {%- set ns.refused = ns.refused + ['applications.withheld_' ~ r ~ '.total'] -%}
  {%- endfor -%}
  {%- for r in ['not_held', 'needs_creation', 'unclear'] -%}
    {%- set ns.unavailable = ns.unavailable + ['applications.unavailable_' ~ r ~ '.total'] -%}
  {%- endfor -%}
  {%- for r in ['petition', 'duplicate', 'publication', 'excessive', 'confirmation'] -%}
    {%- set ns.not_processed = ns.not_processed + ['applications.rejected_' ~ r ~ '.total'] -%}
  {%- endfor -%}
  {%- for r in ['other_no_correction', 'other_unpaid_fee', 'other_other', 'other_processing'] -%}
    {%- set ns.other = ns.other + ['applications.' ~ r ~ '.total'] -%}
  {%- endfor -%}
  {{ return({
    'new_received': ['applications.new_received.total'],
    'carried_over': ['applications.carried_over.total'],
    'granted': ['applications.granted.total'],
    'partially_granted': ['applications.partially_granted.total'],
    'refused': ns.refused,
    'unavailable': ns.unavailable,
    'not_processed': ns.not_processed,
    'other_processing': ns.other,
    'total_processed': ['applications.total_processed.total'],
    'carried_forward': ['applications.carried_forward.total'],
    'review_total': ['review_litigation.review.total'],
    'litigation_direct_total': ['review_litigation.litigation_direct.total'],
    'litigation_after_review_total': ['review_litigation.litigation_after_review.total'],
    'litigation_total': ['review_litigation.litigation_direct.total', 'review_litigation.litigation_after_review.total'],
    'regulations_issued': ['active.regulations.issued'],
    'regulations_repealed': ['active.regulations.repealed'],
    'regulations_in_force': ['active.regulations.in_force'],
    'normative_documents_issued': ['active.normative_documents.issued'],
    'normative_documents_repealed': ['active.normative_documents.repealed'],
    'normative_documents_in_force': ['active.normative_documents.in_force'],
    'licensing_decisions': ['active.licensing.decisions'],
    'punishment_decisions': ['active.punishment.decisions'],
    'enforcement_decisions': ['active.enforcement.decisions'],
    'admin_fees_10k_yuan': ['active.admin_fees.amount_10k_yuan'],
  }) }}
{% endmacro %}
