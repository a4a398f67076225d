{#-
    relative_likelihood(a, n1, c, n0): the relative-likelihood building block (metrics-spec §2).

    Arguments are SQL expressions: a / n1 = the numerator group's events / base, c / n0 = the
    denominator group's events / base. Returns a comma-separated list of select expressions:

      rl_value              (a/n1) / (c/n0), uncorrected as trusts publish it: 0 if a = 0, null if c = 0
      rl_corrected          the same after the zero-cell correction (a or c = 0: +0.5 to a and c, +1 to n1 and n0)
      ci_lower, ci_upper    95% Katz log CI from the (corrected) cells: exp(ln RL -/+ 1.96 SE),
                            SE = sqrt(1/a - 1/n1 + 1/c - 1/n0)
      flag_small_count      a or c is 1-7
      flag_zero_cell        a or c is 0
      flag_ci_spans_parity  ci_lower <= 1 <= ci_upper (false when there is no CI)
      flag_volatile         any of the three flags above

    When a = c = 0, or a base is 0 or null, every value is null; the flags still describe the cells.
    Counts are widened to double before any arithmetic (docs/portable-sql.md rule 3).
-#}
{% macro relative_likelihood(a, n1, c, n0) -%}
    {%- set a_ = 'cast(' ~ a ~ ' as double)' -%}
    {%- set n1_ = 'cast(' ~ n1 ~ ' as double)' -%}
    {%- set c_ = 'cast(' ~ c ~ ' as double)' -%}
    {%- set n0_ = 'cast(' ~ n0 ~ ' as double)' -%}
    {%- set has_value = '(' ~ a_ ~ ' + ' ~ c_ ~ ' > 0 and ' ~ n1_ ~ ' > 0 and ' ~ n0_ ~ ' > 0)' -%}
    {%- set zero_cell = '(' ~ a_ ~ ' = 0 or ' ~ c_ ~ ' = 0)' -%}
    {%- set half = '(case when ' ~ zero_cell ~ ' then 0.5 else 0.0 end)' -%}
    {%- set one = '(case when ' ~ zero_cell ~ ' then 1.0 else 0.0 end)' -%}
    {%- set a_adj = '(' ~ a_ ~ ' + ' ~ half ~ ')' -%}
    {%- set n1_adj = '(' ~ n1_ ~ ' + ' ~ one ~ ')' -%}
    {%- set c_adj = '(' ~ c_ ~ ' + ' ~ half ~ ')' -%}
    {%- set n0_adj = '(' ~ n0_ ~ ' + ' ~ one ~ ')' -%}
    {%- set rl_corrected = '((' ~ a_adj ~ ' / nullif(' ~ n1_adj ~ ', 0)) / nullif(' ~ c_adj ~ ' / nullif(' ~ n0_adj ~ ', 0), 0))' -%}
    {%- set se = 'sqrt(1.0 / nullif(' ~ a_adj ~ ', 0) - 1.0 / nullif(' ~ n1_adj ~ ', 0) + 1.0 / nullif(' ~ c_adj ~ ', 0) - 1.0 / nullif(' ~ n0_adj ~ ', 0))' -%}
    {%- set ci_lower = '(case when ' ~ has_value ~ ' then exp(ln(' ~ rl_corrected ~ ') - 1.96 * ' ~ se ~ ') end)' -%}
    {%- set ci_upper = '(case when ' ~ has_value ~ ' then exp(ln(' ~ rl_corrected ~ ') + 1.96 * ' ~ se ~ ') end)' -%}
    {%- set small_count = '(' ~ a_ ~ ' between 1 and 7 or ' ~ c_ ~ ' between 1 and 7)' -%}
    {#- ci_lower <= 1 <= ci_upper  <=>  |ln RL| <= 1.96 SE (exp is monotonic); shorter SQL -#}
    {%- set spans_parity = 'coalesce(' ~ has_value ~ ' and abs(ln(' ~ rl_corrected ~ ')) <= 1.96 * ' ~ se ~ ', false)' -%}
    case when {{ has_value }} and {{ c_ }} > 0
        then ({{ a_ }} / nullif({{ n1_ }}, 0)) / nullif({{ c_ }} / nullif({{ n0_ }}, 0), 0)
    end as rl_value,
    case when {{ has_value }} then {{ rl_corrected }} end as rl_corrected,
    {{ ci_lower }} as ci_lower,
    {{ ci_upper }} as ci_upper,
    {{ small_count }} as flag_small_count,
    {{ zero_cell }} as flag_zero_cell,
    {{ spans_parity }} as flag_ci_spans_parity,
    ({{ small_count }} or {{ zero_cell }} or {{ spans_parity }}) as flag_volatile
{%- endmacro %}

{#-
    The value published beside an RL's confidence interval (fct_edi_measure). When the zero-cell
    correction was applied (a or c = 0, not both), the CI comes from the corrected cells, so the value
    is the corrected estimate too and lies within its CI; rl_value, the raw ratio trusts publish (0 or
    null there), is kept beside it as value_uncorrected.

    rl_zero_cell_corrected(rl_corrected, flag_zero_cell)   true when the corrected estimate is the value
    rl_published_value(rl_value, rl_corrected, flag_zero_cell)
-#}
{% macro rl_zero_cell_corrected(rl_corrected='rl_corrected', flag_zero_cell='flag_zero_cell') -%}
    coalesce({{ flag_zero_cell }} and {{ rl_corrected }} is not null, false)
{%- endmacro %}

{% macro rl_published_value(rl_value='rl_value', rl_corrected='rl_corrected', flag_zero_cell='flag_zero_cell') -%}
    case when {{ rl_zero_cell_corrected(rl_corrected, flag_zero_cell) }} then {{ rl_corrected }} else {{ rl_value }} end
{%- endmacro %}
