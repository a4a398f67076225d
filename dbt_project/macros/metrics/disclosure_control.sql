{#-
    Disclosure control (metrics-spec §10, test vector TV-X1) for everything published to BI users.
    Configuration (dbt_project.yml vars): sdc_suppress_min / sdc_suppress_max (primary range, 1..7),
    sdc_rounding_base (5), sdc_max_passes (secondary iterations), sdc_derive_from_rounded (true),
    sdc_min_respondents (11), sdc_min_group_pay (10), sdc_exempt_measures ([]).

    sdc_is_primary(count_expr)
        true when a count is in the primary range (1..7): it is published as "*" (null).
    sdc_round(count_expr)
        the count rounded to the nearest sdc_rounding_base (halves up); 0 stays 0.
    sdc_publish_count(count_expr, suppressed_expr=none)
        primary suppression + rounding of one count: null if in the primary range or if
        suppressed_expr (e.g. a secondary-suppression flag) is true, otherwise the rounded count.
        Totals are ordinary counts here: each is rounded on its own, never summed from rounded cells.
    sdc_derived_value(value_expr, suppressed_exprs)
        a value built from counts (%, rate, RL, CI, gap, score): null when any of the boolean
        suppressed_exprs is true.
    sdc_rate_from_rounded(value_expr, numerator_expr, denominator_expr, scale)
        the published rate: scale * rounded numerator / rounded denominator when
        the sdc_derive_from_rounded setting is true (the exact value stays restricted), else value_expr.
    sdc_secondary_suppression(relation, cube_columns, row_key, column_key, count_column,
                              row_total_label='all', column_total_label='all',
                              suppressed_column=none, max_passes=none)
        a complete SELECT statement (wrap it in parentheses to use it as a CTE or subquery).
        See the comment above the macro.
-#}

{% macro sdc_is_primary(count_expr) -%}
    coalesce({{ count_expr }} between {{ var('sdc_suppress_min') }} and {{ var('sdc_suppress_max') }}, false)
{%- endmacro %}

{% macro sdc_round(count_expr) -%}
    {%- set base = var('sdc_rounding_base') -%}
    cast(floor((cast({{ count_expr }} as double) + {{ base }} / 2.0) / {{ base }}) * {{ base }} as bigint)
{%- endmacro %}

{% macro sdc_publish_count(count_expr, suppressed_expr=none) -%}
    case
        when {{ sdc_is_primary(count_expr) }}{% if suppressed_expr is not none %} or coalesce({{ suppressed_expr }}, false){% endif %} then null
        else {{ sdc_round(count_expr) }}
    end
{%- endmacro %}

{% macro sdc_derived_value(value_expr, suppressed_exprs) -%}
    case
        when {% for s in suppressed_exprs %}coalesce({{ s }}, false){% if not loop.last %} or {% endif %}{% endfor %} then null
        else {{ value_expr }}
    end
{%- endmacro %}

{% macro sdc_rate_from_rounded(value_expr, numerator_expr, denominator_expr, scale) -%}
    {%- if edi_setting('sdc_derive_from_rounded') -%}
    cast({{ scale }} * cast({{ sdc_round(numerator_expr) }} as double) / nullif({{ sdc_round(denominator_expr) }}, 0) as double)
    {%- else -%}
    {{ value_expr }}
    {%- endif -%}
{%- endmacro %}

{#-
    Secondary suppression over cubes in long form.

    relation          a relation or CTE name with one row per cell
    cube_columns      the columns that identify one cube (a table with its margins)
    row_key, column_key
                      the cell's row and column; a row key equal to row_total_label is the total row,
                      a column key equal to column_total_label the total column (the margins are
                      ordinary cells of the cube, so the total of a line is a cell of that line)
    count_column      the unrounded count
    suppressed_column optional boolean column: cells to treat as suppressed from the start
    max_passes        defaults to var('sdc_max_passes')

    Primary: counts in the primary range are suppressed. Then var('sdc_max_passes') passes (unrolled
    here, so it stays plain SQL on every engine): every line - each row and each column that has its
    total cell - is checked; a line needs another suppression when it holds exactly one suppressed cell,
    or when its total is published and its suppressed cells sum to the primary range. Such a line
    suppresses its smallest non-zero unsuppressed cell (ties: the total last, then by key). An implicit
    complement - total minus the line's listed cells, when they do not add up - counts as a cell, and
    as a suppressed one when it is in the primary range, since it can be read off by differencing.
    All lines of a pass are checked at once. Lines without a total cell cannot be differenced and are
    left alone.

    Output: the cube columns, row_key, column_key, count_column, then
        published_count     rounded count, or null when suppressed
        is_suppressed       boolean
        suppression_reason  'primary', 'secondary' or null
        suppression_pass    0 for primary, k for the pass that suppressed the cell, null if published
        is_converged        the cube would not change in one more pass (assert it in tests; a cube
                            that did not converge must not be published as is)
-#}
{% macro sdc_secondary_suppression(relation, cube_columns, row_key, column_key, count_column,
                                   row_total_label='all', column_total_label='all',
                                   suppressed_column=none, max_passes=none) -%}
{%- set passes = max_passes if max_passes is not none else var('sdc_max_passes') -%}
{%- set cube = cube_columns | join(', ') -%}
with sdc_pass_0 as (
    select
        {% for c in cube_columns %}{{ c }}, {% endfor %}
        {{ row_key }} as sdc_row,
        {{ column_key }} as sdc_col,
        cast({{ count_column }} as bigint) as sdc_n,
        coalesce({{ row_key }} = '{{ row_total_label }}', false) as sdc_is_total_row,
        coalesce({{ column_key }} = '{{ column_total_label }}', false) as sdc_is_total_col,
        ({{ sdc_is_primary(count_column) }}{% if suppressed_column is not none %} or coalesce({{ suppressed_column }}, false){% endif %}) as sdc_suppressed,
        case when {{ sdc_is_primary(count_column) }}{% if suppressed_column is not none %} or coalesce({{ suppressed_column }}, false){% endif %}
            then 0 end as sdc_pass
    from {{ relation }}
){% for k in range(1, passes + 2) %},

sdc_lines_{{ k }} as (
    {{ sdc_line_state('sdc_pass_' ~ (k - 1), cube) }}
){% if k <= passes %},

sdc_pass_{{ k }} as (
    select
        {% for c in cube_columns %}{{ c }}, {% endfor %}
        sdc_row, sdc_col, sdc_n, sdc_is_total_row, sdc_is_total_col,
        (sdc_suppressed or sdc_newly_suppressed) as sdc_suppressed,
        case when sdc_newly_suppressed then {{ k }} else sdc_pass end as sdc_pass
    from sdc_lines_{{ k }}
){% endif %}{% endfor %}

{#- Pass passes + 1 only tells whether the cube is stable: its state (sdc_suppressed, sdc_pass) is
    still that of the last real pass. #}
select
    {% for c in cube_columns %}{{ c }}, {% endfor %}
    sdc_row as {{ row_key }},
    sdc_col as {{ column_key }},
    sdc_n as {{ count_column }},
    case when sdc_suppressed then null else {{ sdc_round('sdc_n') }} end as published_count,
    sdc_suppressed as is_suppressed,
    cast(case when sdc_pass = 0 then 'primary' when sdc_pass > 0 then 'secondary' end
        as {{ dbt.type_string() }}) as suppression_reason,
    sdc_pass as suppression_pass,
    (max(case when sdc_newly_suppressed then 1 else 0 end) over (partition by {{ cube }}) = 0) as is_converged
from sdc_lines_{{ passes + 1 }}
{%- endmacro %}

{#- One pass's view of every line: does the cell's row or column need another suppression, and is the
    cell that line's first candidate? -#}
{% macro sdc_line_state(previous, cube) -%}
{%- set lo = var('sdc_suppress_min') -%}
{%- set hi = var('sdc_suppress_max') -%}
    select
        s.*,
        coalesce(
            (s.r_has_total = 1 and s.r_rank = 1 and s.is_candidate and (
                s.r_suppressed_cells + case when s.r_complement between {{ lo }} and {{ hi }} then 1 else 0 end = 1
                or (s.r_total_suppressed = 0 and s.r_suppressed_sum
                    + case when s.r_complement between {{ lo }} and {{ hi }} then s.r_complement else 0 end
                    between {{ lo }} and {{ hi }})))
            or (s.c_has_total = 1 and s.c_rank = 1 and s.is_candidate and (
                s.c_suppressed_cells + case when s.c_complement between {{ lo }} and {{ hi }} then 1 else 0 end = 1
                or (s.c_total_suppressed = 0 and s.c_suppressed_sum
                    + case when s.c_complement between {{ lo }} and {{ hi }} then s.c_complement else 0 end
                    between {{ lo }} and {{ hi }}))),
            false
        ) as sdc_newly_suppressed
    from (
        select
            p.*,
            coalesce(not p.sdc_suppressed and p.sdc_n > 0, false) as is_candidate,
            {%- for line, own_key, other_key, own_total in [('r', 'sdc_row', 'sdc_col', 'sdc_is_total_col'),
                                                           ('c', 'sdc_col', 'sdc_row', 'sdc_is_total_row')] %}
            max(case when p.{{ own_total }} then 1 else 0 end)
                over (partition by {{ cube }}, p.{{ own_key }}) as {{ line }}_has_total,
            max(case when p.{{ own_total }} and p.sdc_suppressed then 1 else 0 end)
                over (partition by {{ cube }}, p.{{ own_key }}) as {{ line }}_total_suppressed,
            sum(case when p.sdc_suppressed then 1 else 0 end)
                over (partition by {{ cube }}, p.{{ own_key }}) as {{ line }}_suppressed_cells,
            sum(case when p.sdc_suppressed and not p.{{ own_total }} then p.sdc_n else 0 end)
                over (partition by {{ cube }}, p.{{ own_key }}) as {{ line }}_suppressed_sum,
            max(case when p.{{ own_total }} then p.sdc_n end) over (partition by {{ cube }}, p.{{ own_key }})
                - sum(case when p.{{ own_total }} then 0 else coalesce(p.sdc_n, 0) end)
                    over (partition by {{ cube }}, p.{{ own_key }}) as {{ line }}_complement,
            row_number() over (
                partition by {{ cube }}, p.{{ own_key }}
                order by case when not p.sdc_suppressed and p.sdc_n > 0 then 0 else 1 end asc nulls last,
                    p.sdc_n asc nulls last,
                    case when p.{{ own_total }} then 1 else 0 end asc nulls last,
                    p.{{ other_key }} asc nulls last
            ) as {{ line }}_rank{% if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ previous }} as p
    ) as s
{%- endmacro %}

{#-
    sdc_edi_measure(measure_relation, passthrough_columns=[])
        The BI version of the long measure table (fct_edi_measure shape, metrics-spec §10):
        - every count (numerator, denominator, reference_numerator, reference_denominator): primary
          suppression + rounding;
        - share cubes: secondary suppression of the numerators, rows = breakdown_value and columns =
          group_value within organisation x period x measure x variant x breakdown_type x
          group_dimension, 'all' being the margins. Measures that publish the same cells share one cube,
          so one cannot be differenced against another: the three declaration_* rates form one table
          (columns = the measures, total = the workforce) and representation workforce share, ratio, gap
          and HIA2d (same headcounts) another. A row without an 'all' cell contributes its denominator
          as its total. The denominator is suppressed with its row's total cell;
        - value, value_uncorrected and CI are null when any count they are built from is suppressed;
          percent and per_1000 values that are numerator / denominator (to within half a unit of the
          numerator) are recomputed from the rounded counts when sdc_derive_from_rounded is true,
          and value_uncorrected is the published value except beside a zero-cell-corrected RL;
        - survey rows with fewer than sdc_min_respondents respondents (denominator or reference group)
          are withheld whole; pay rows with a group smaller than sdc_min_group_pay lose value and CI;
        - measures in sdc_exempt_measures pass unchanged.
        measure_relation needs measure_kind and standard (catalogue columns of fct_edi_measure) besides
        the long shape. passthrough_columns: further columns copied unchanged after the long shape;
        a person-level column (staff key, person id) is refused.
-#}
{% macro sdc_edi_measure(measure_relation, passthrough_columns=[]) -%}
{%- for c in passthrough_columns -%}
    {%- if 'staff' in c | lower or 'person' in c | lower -%}
        {{ exceptions.raise_compiler_error("sdc_edi_measure: person-level column " ~ c ~ " must never reach BI") }}
    {%- endif -%}
{%- endfor -%}
{%- set cube_columns = ['organisation_code', 'period_type', 'period_end', 'sdc_cube_measure', 'variant',
                        'breakdown_type', 'group_dimension'] -%}
{%- set cube_on = [] -%}
{%- for c in cube_columns %}{% do cube_on.append('m.' ~ c ~ ' = {0}.' ~ c) %}{% endfor -%}
{%- set exempt = var('sdc_exempt_measures') -%}
{%- set min_respondents = var('sdc_min_respondents') -%}
{%- set min_group_pay = var('sdc_min_group_pay') -%}
with measure as (
    select
        m.*,
        {% if exempt %}m.measure_id in ('{{ exempt | join("', '") }}'){% else %}false{% endif %} as sdc_is_exempt,
        (m.measure_id in ('wres1_share_of_cluster', 'wdes1_share_of_cluster', 'hia2d_representation_8c_plus_ratio')
            or m.measure_id like 'representation%' or m.measure_id like 'declaration%') as sdc_in_cube,
        case
            when m.measure_id like 'declaration%' then 'declaration'
            when m.measure_id in ('representation_workforce_share_pct', 'representation_ratio',
                'representation_gap_pp', 'hia2d_representation_8c_plus_ratio') then 'representation_workforce'
            else m.measure_id
        end as sdc_cube_measure,
        case when m.measure_id like 'declaration%' then m.measure_id else m.group_value end as sdc_cube_column
    from {{ measure_relation }} as m
),

cube_rows_with_total as (
    select distinct {{ cube_columns | join(', ') }}, breakdown_value
    from measure
    where sdc_in_cube and sdc_cube_column = 'all'
),

cube_cells as (
    select {{ cube_columns | join(', ') }}, breakdown_value, sdc_cube_column, max(numerator) as cell_count
    from measure
    where sdc_in_cube and not sdc_is_exempt
    group by {{ cube_columns | join(', ') }}, breakdown_value, sdc_cube_column
    union all
    -- a row without an 'all' cell still publishes its total: the denominator of its cells
    select {% for c in cube_columns %}m.{{ c }}, {% endfor %}m.breakdown_value, 'all', max(m.denominator)
    from measure as m
    left join cube_rows_with_total as t
        on {{ cube_on | join(' and ') | replace('{0}', 't') }} and m.breakdown_value = t.breakdown_value
    where m.sdc_in_cube and not m.sdc_is_exempt and t.breakdown_value is null
    group by {% for c in cube_columns %}m.{{ c }}, {% endfor %}m.breakdown_value
    having min(m.denominator) = max(m.denominator)
),

secondary as (
    {{ sdc_secondary_suppression('cube_cells', cube_columns, 'breakdown_value', 'sdc_cube_column', 'cell_count') }}
),

flagged as (
    select
        m.*,
        coalesce(cell.is_suppressed or not cell.is_converged, false) as numerator_in_cube_suppressed,
        coalesce((row_total.is_suppressed and row_total.cell_count = m.denominator) or not cell.is_converged, false)
            as denominator_in_cube_suppressed,
        coalesce(m.measure_kind in ('survey_pct', 'survey_score') and (
            m.denominator < {{ min_respondents }} or m.reference_denominator < {{ min_respondents }}), false)
            as is_small_survey_base,
        coalesce(m.standard = 'PAY' and (
            case when m.measure_kind = 'pay_gap' then m.numerator else m.denominator end < {{ min_group_pay }}
            or m.reference_denominator < {{ min_group_pay }}), false) as is_small_pay_group
    from measure as m
    left join secondary as cell
        on {{ cube_on | join(' and ') | replace('{0}', 'cell') }} and m.breakdown_value = cell.breakdown_value
        and m.sdc_cube_column = cell.sdc_cube_column
    left join secondary as row_total
        on {{ cube_on | join(' and ') | replace('{0}', 'row_total') }} and m.breakdown_value = row_total.breakdown_value
        and row_total.sdc_cube_column = 'all'
),

controlled as (
    select
        f.*,
        not f.sdc_is_exempt and ({{ sdc_is_primary('f.numerator') }} or {{ sdc_is_primary('f.denominator') }}
            or {{ sdc_is_primary('f.reference_numerator') }} or {{ sdc_is_primary('f.reference_denominator') }})
            as has_primary,
        not f.sdc_is_exempt and (f.numerator_in_cube_suppressed or f.denominator_in_cube_suppressed)
            as has_secondary,
        not f.sdc_is_exempt and f.is_small_survey_base as has_small_survey_base,
        not f.sdc_is_exempt and f.is_small_pay_group as has_small_pay_group
    from flagged as f
),

published as (
    select
        c.*,
        (c.has_primary or c.has_secondary or c.has_small_survey_base or c.has_small_pay_group) as value_suppressed
    from controlled as c
),

valued as (
    select
        p.*,
        {%- set rate_from_counts -%}
            -- a value is "numerator / denominator" when it implies the stored numerator to within half a
            -- unit (pay quarters hold people split by the tie rule, rounded to whole people)
            case
                when not p.sdc_is_exempt and p.value_unit in ('percent', 'per_1000')
                    and abs(p.value * p.denominator / case when p.value_unit = 'percent' then 100.0 else 1000.0 end
                        - p.numerator) <= 0.5
                    then case when p.value_unit = 'percent'
                        then {{ sdc_rate_from_rounded('p.value', 'p.numerator', 'p.denominator', 100.0) }}
                        else {{ sdc_rate_from_rounded('p.value', 'p.numerator', 'p.denominator', 1000.0) }} end
                else p.value
            end
        {%- endset %}
        {{ sdc_derived_value(rate_from_counts, ['p.value_suppressed']) }} as published_value
    from published as p
)

select
    organisation_code,
    period_type,
    period_end,
    fy_end,
    measure_id,
    variant,
    breakdown_type,
    breakdown_value,
    group_dimension,
    group_value,
    reference_group,
    {%- for count_column, in_cube in [('numerator', 'numerator_in_cube_suppressed'),
                                      ('denominator', 'denominator_in_cube_suppressed'),
                                      ('reference_numerator', none), ('reference_denominator', none)] %}
    case
        when sdc_is_exempt then {{ count_column }}
        else {{ sdc_publish_count(count_column,
            'has_small_survey_base' ~ (' or ' ~ in_cube if in_cube else '')) }}
    end as {{ count_column }},
    {%- endfor %}
    published_value as value,
    -- the raw ratio beside a zero-cell-corrected RL is derived from the same counts: withheld with the
    -- value; everywhere else it equals the value, so it is the value as published (never the exact one)
    case
        when flag_zero_cell_corrected then {{ sdc_derived_value('value_uncorrected', ['value_suppressed']) }}
        else published_value
    end as value_uncorrected,
    value_unit,
    {{ sdc_derived_value('ci_lower', ['value_suppressed']) }} as ci_lower,
    {{ sdc_derived_value('ci_upper', ['value_suppressed']) }} as ci_upper,
    flag_small_count,
    flag_zero_cell,
    flag_zero_cell_corrected,
    flag_ci_spans_parity,
    flag_volatile,
    flag_window_incomplete,
    {%- for c in passthrough_columns %}
    {{ c }},
    {%- endfor %}
    value_suppressed as is_suppressed,
    cast(case
        when has_primary then 'primary'
        when has_secondary then 'secondary'
        when has_small_survey_base then 'min_respondents'
        when has_small_pay_group then 'min_group_pay'
    end as {{ dbt.type_string() }}) as suppression_reason
from valued
{%- endmacro %}
