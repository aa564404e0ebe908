{#- Every row's boolean column is true; the failing rows are the findings. Used with
    severity: warn on rule results, where the published report itself is wrong. -#}
{% test expect_all_true(model, column_name) %}
select * from {{ model }} where not coalesce({{ column_name }}, false)
{% endtest %}
