{#- Each key has one value: an agency key never maps to two divisions. -#}
{% test expect_functional_dependency(model, key, value) %}
select {{ key }}, count(distinct coalesce({{ value }}, '<null>')) as n_values
from {{ model }}
group by {{ key }}
having count(distinct coalesce({{ value }}, '<null>')) > 1
{% endtest %}
