{#- Use the folder's schema (staging, intermediate, marts) as-is, not prefixed with the
    target schema: analysts query marts.fct_agency_year, not main_marts.fct_agency_year. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
