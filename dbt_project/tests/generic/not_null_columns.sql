{#-
    Fails once for every listed column that holds a NULL, with the column's name and how many rows:
    the `not_null` tests of one model in one query and one scan. One dbt node per column cost more than
    the query itself at a trust's size (≈ 0.05 s each on 2 cores, 573 of them), and on a view each
    node computed the view again.

    usage:
        data_tests:
          - not_null_columns:
              arguments:
                columns: [staff_key, date_key]
-#}
{% test not_null_columns(model, columns) %}

with null_counts as (
    select
    {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as null_rows_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)

{% for column in columns -%}
select '{{ column }}' as failing_column, null_rows_{{ loop.index }} as null_rows
from null_counts
where null_rows_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif -%}
{%- endfor %}

{% endtest %}
