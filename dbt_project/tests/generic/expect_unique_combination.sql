{#- The columns together identify a row. A duplicate means our pipeline is broken. -#}
{% test expect_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
