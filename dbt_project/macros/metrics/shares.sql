{#- Shares and their comparisons, in one place so every standard divides and guards the same way. -#}
{#- The product is exact (a decimal) and the division is in double on both engines, as DuckDB divides
    decimals: Spark would keep a decimal quotient rounded to 6 places (33.333333, not 33.33333333333333). -#}
{% macro share_pct(part, whole) -%}
    (cast(100.0 * ({{ part }}) as double) / nullif({{ whole }}, 0))
{%- endmacro %}

{#- Difference of two shares in percentage points (WRES 9, WDES 10: board minus workforce). -#}
{% macro share_gap_pp(part_a, whole_a, part_b, whole_b) -%}
    ({{ share_pct(part_a, whole_a) }} - {{ share_pct(part_b, whole_b) }})
{%- endmacro %}

{#- Representation (metrics-spec §8): workforce share over population share; null when the population
    share is 0. Shares are fractions here. -#}
{% macro representation_ratio(workforce_share, population_share) -%}
    ({{ workforce_share }} / nullif({{ population_share }}, 0))
{%- endmacro %}
