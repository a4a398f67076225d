{#-
    Sums and means that give the same bits whatever order the rows arrive in.

    Adding doubles is not associative, and DuckDB's parallel aggregates and unordered windows add them
    in a varying order, so identical runs differed in the last bits (and a mean or a fractional head
    count sitting on a rounding boundary rounded both ways). Here every value is fixed to `scale`
    decimal places first: the sum is then integer arithmetic, exact, and independent of order.

    decimal_sum(x, scale=12, over=none)   sum of x as decimal(38, scale); `over` is a window
                                          specification (without the parentheses) for a window sum.
    decimal_mean(x, scale=12, over=none)  that exact sum over count(x), as a double; null when no x.

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

{% macro _decimal_aggregate_window(over) -%}
    {%- if over is not none %} over ({{ over }}){% endif -%}
{%- endmacro %}
