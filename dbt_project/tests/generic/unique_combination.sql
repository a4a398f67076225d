{#-
    Fails for every combination of `columns` that occurs on more than one row: the primary-key test
    for models whose key spans several columns. Rows with a NULL in a key column are grouped like
    any other value; pair this test with `not_null` on each key column.

    usage:
        data_tests:
          - unique_combination:
              arguments:
                columns: [ltla21_code, ethnic_group, measure]
-#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(',\n    ') }},
    count(*) as n_rows
from {{ model }}
group by
    {{ columns | join(',\n    ') }}
having count(*) > 1

{% endtest %}
