{#-
    Confidence intervals of a proportion and of a difference of two proportions (differential
    attainment: first-attempt pass rates, NETS shares). Arguments are SQL expressions of counts; the
    results are proportions (0-1), so scale them for percent or pp. z = 1.96 (95 %).

    wilson_lower(x, n) / wilson_upper(x, n)
        Wilson score interval of x / n: it stays inside [0, 1] and keeps a width at 0 % and 100 %,
        where the plain (Wald) interval collapses (Newcombe 1998, method 3); clamped to [0, 1] against
        rounding at 0 % and 100 %. Null when n is 0 or null.
    newcombe_diff_lower(x1, n1, x0, n0) / newcombe_diff_upper(x1, n1, x0, n0)
        Newcombe's hybrid score interval of p1 - p0 from the two Wilson intervals (Newcombe 1998,
        method 10): lower = d - sqrt((p1 - l1)^2 + (u0 - p0)^2), upper = d + sqrt((u1 - p1)^2 + (p0 - l0)^2).
    Counts are widened to double first (docs/portable-sql.md rule 3).
-#}
{% macro _wilson_parts(x, n) -%}
    {%- set x_ = 'cast(' ~ x ~ ' as double)' -%}
    {%- set n_ = 'cast(' ~ n ~ ' as double)' -%}
    {%- set p = '(' ~ x_ ~ ' / nullif(' ~ n_ ~ ', 0))' -%}
    {%- set centre = '((' ~ p ~ ' + 1.9208 / nullif(' ~ n_ ~ ', 0)) / (1.0 + 3.8416 / nullif(' ~ n_ ~ ', 0)))' -%}
    {%- set half = '((1.96 * sqrt(' ~ p ~ ' * (1.0 - ' ~ p ~ ') / nullif(' ~ n_ ~ ', 0) + 0.9604 / nullif(' ~ n_ ~ ' * ' ~ n_ ~ ', 0))) / (1.0 + 3.8416 / nullif(' ~ n_ ~ ', 0)))' -%}
    {{ return({'p': p, 'centre': centre, 'half': half}) }}
{%- endmacro %}

{% macro wilson_lower(x, n) -%}
    {%- set w = _wilson_parts(x, n) -%}
    greatest({{ w.centre }} - {{ w.half }}, 0.0)
{%- endmacro %}

{% macro wilson_upper(x, n) -%}
    {%- set w = _wilson_parts(x, n) -%}
    least({{ w.centre }} + {{ w.half }}, 1.0)
{%- endmacro %}

{% macro newcombe_diff_lower(x1, n1, x0, n0) -%}
    {%- set p1 = _wilson_parts(x1, n1).p -%}
    {%- set p0 = _wilson_parts(x0, n0).p -%}
    ({{ p1 }} - {{ p0 }} - sqrt(power({{ p1 }} - {{ wilson_lower(x1, n1) }}, 2) + power({{ wilson_upper(x0, n0) }} - {{ p0 }}, 2)))
{%- endmacro %}

{% macro newcombe_diff_upper(x1, n1, x0, n0) -%}
    {%- set p1 = _wilson_parts(x1, n1).p -%}
    {%- set p0 = _wilson_parts(x0, n0).p -%}
    ({{ p1 }} - {{ p0 }} + sqrt(power({{ wilson_upper(x1, n1) }} - {{ p1 }}, 2) + power({{ p0 }} - {{ wilson_lower(x0, n0) }}, 2)))
{%- endmacro %}
