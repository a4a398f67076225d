{#-
    Sums and means that give the same bits whatever order the rows arrive in.

    Adding doubles is not associative, and DuckDB's parallel aggregates and unordered windows add them
    in a varying order, so identical runs differed in the last bits (and a mean or a fractional head
    count sitting on a rounding boundary rounded both ways). Here every value is fixed to `scale`
    decimal places first: the sum is then integer arithmetic, exact, and independent of order.

    decimal_sum(x, scale=12, over=none)   sum of x as decimal(38, scale); `over` is a window
                                          specification (without the parentheses) for a window sum.
    decimal_mean(x, scale=12, over=none)  that exact sum over count(x), as a double; null when no x.
    decimal_weighted_mean(x, weight, scale=12)
                                          the same mean from rows that each stand for `weight` people
                                          with the value x: sum(x x weight) over the people with an x,
                                          the same bits as decimal_mean over a row per person.

    Money at its own scale (pence, or the 4 places of an hourly rate) loses nothing; a derived double
    (a rate, a share, a log) moves by at most half a unit in the `scale`-th place before it is summed.
-#}

{% macro decimal_sum(x, scale=12, over=none) -%}
    sum(cast({{ x }} as decimal(38, {{ scale }}))){{ _decimal_aggregate_window(over) }}
{%- endmacro %}

{% macro decimal_mean(x, scale=12, over=none) -%}
    (cast({{ decimal_sum(x, scale, over) }} as double)
        / nullif(cast(count({{ x }}){{ _decimal_aggregate_window(over) }} as double), 0))
{%- endmacro %}

{#- x times a whole weight is still exact in decimal(38, scale) for values at `scale` places. -#}
{% macro decimal_weighted_mean(x, weight, scale=12) -%}
    (cast({{ decimal_sum('(' ~ x ~ ') * ' ~ weight, scale) }} as double)
        / nullif(cast(sum(case when ({{ x }}) is not null then {{ weight }} end) as double), 0))
{%- endmacro %}

{% macro _decimal_aggregate_window(over) -%}
    {%- if over is not none %} over ({{ over }}){% endif -%}
{%- endmacro %}
