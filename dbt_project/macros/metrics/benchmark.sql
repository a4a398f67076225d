{#- Favourability (metrics-spec §11): bigger is better. RLs are judged by distance from parity, so
    0.8 and 1.25 are equally far; other measures by their direction; null when neither is better. -#}
{% macro favourability(value, measure_kind, higher_is_better) -%}
    case
        when {{ measure_kind }} = 'relative_likelihood' then -abs(ln(nullif({{ value }}, 0)))
        when {{ higher_is_better }} then {{ value }}
        when not {{ higher_is_better }} then -{{ value }}
    end
{%- endmacro %}

{#- Where each row stands in the set of rows sharing its partition columns (every row is a subject and
    a member): `set_size` counts the members, the subject included, and `less_favourable` the members
    strictly less favourable than the subject. rank() - 1 is the number of rows ordered before the
    row, and with nulls last those are exactly the non-null favourabilities below it; a member without a
    favourability is never less favourable, and a subject without one has none below it. Two select
    columns, linear in the rows (a self-join would grow with the square of the set). -#}
{% macro rank_in_set(favourability, partition_columns) -%}
    count(*) over (partition by {{ partition_columns | join(', ') }}) as set_size,
    case
        when {{ favourability }} is null then 0
        -- rank() gives tied rows the same rank whatever order the engine puts them in.
        else rank() over (
            partition by {{ partition_columns | join(', ') }} order by {{ favourability }} asc nulls last
        ) - 1
    end as less_favourable
{%- endmacro %}

{#- Percentile of a subject within its comparison set: 100 x (members strictly less favourable)
    / (n - 1), null when the set has fewer than var('peer_min_n_for_percentile') members. min_n
    overrides the variable (tests). -#}
{% macro set_percentile(less_favourable, set_size, min_n=none) -%}
    {%- set min_n = var('peer_min_n_for_percentile') if min_n is none else min_n -%}
    case when {{ set_size }} >= {{ min_n }}
        then 100.0 * cast({{ less_favourable }} as double) / nullif(cast({{ set_size }} as double) - 1, 0)
    end
{%- endmacro %}
