{#-
    Statistical process control: XmR charts as in Making Data Count (metrics-spec §9, Appendix A5),
    following NHSRplotthedots 0.2.x.

    spc_xmr(relation, series_columns, order_column, value_column, higher_is_better_column,
            rebase_relation=none, rebase_date_column='rebase_date', screen_outliers='var',
            fix_after_n_points='var', min_points_for_firm_limits='var', exclude_column=none)
    returns a select statement with one row per point of `relation` (a relation or a CTE name) whose
    value is not null: the series columns, order_column, value_column, higher_is_better_column, then
        segment            1 + the number of rebase dates on or before the point (a rebase starts a segment)
        point_seq          position of the point in its segment (1, 2, ...)
        centre, mr, mr_bar, upl, lpl, upper_2sigma, lower_2sigma
        limit_point_count  points the centre and MR-bar come from (the first n when limits are fixed)
        limits_status      'trial' below min_points_for_firm_limits such points, else 'firm' (null when
                           the segment has no assessed point)
        screen_outliers    whether MR-bar was screened
        rule_1 .. rule_4, special_cause_rule (by precedence)
        special_cause_direction  1 high / -1 low: a trend point (rule 3 by precedence) takes the trend's
                           direction, every other special-cause point its side of the mean; null for
                           common cause
        variation          common_cause, improving, concerning, or neither (no higher_is_better);
                           not_assessed for an excluded point
        is_excluded        the point was excluded (exclude_column)
    order_column must be unique within a series. rebase_relation (e.g. ref('ref_spc_rebase')) holds the
    series columns and rebase_date_column. The three options default ('var') to the project vars
    spc_screen_outliers, spc_fix_after_n_points (none = off) and spc_min_points_for_firm_limits.
    exclude_column names a boolean column of `relation`: its true points are charted but not assessed.
    They take no part in the centre, MR-bar, moving ranges or runs (a run passes over them), fire no
    rule (rules, point_seq and mr null) and carry their segment's limits, for a point known to be
    incomplete (an immature recruitment cohort) that must not raise a signal or drive the icon.

    Conventions (spec §9): comparisons are strict; a point on the mean is on neither side and breaks a
    shift; a trend is 7 points each strictly beyond the one before, i.e. 6 consecutive strict steps
    (TV-S3 flags the run's first point too); two-of-three counts points strictly beyond a 2-sigma line but
    not beyond its limit (a point exactly on the limit is not outside it, so it counts). No run or moving
    range crosses a segment boundary. A trend point's direction is the sign of the step to the next point
    when that point is also a trend point, else of the step from the previous one; a zero step is low,
    so where two trends meet the point takes the direction of the step after it (NHSRplotthedots 0.2.2).

    spc_assurance(target, upl, lpl, higher_is_better): 'pass' / 'fail' / 'hit_and_miss', null without
    a target or a direction.
-#}

{% macro spc_xmr(relation, series_columns, order_column, value_column, higher_is_better_column,
                 rebase_relation=none, rebase_date_column='rebase_date', screen_outliers='var',
                 fix_after_n_points='var', min_points_for_firm_limits='var', exclude_column=none) -%}
{%- set screen = edi_setting('spc_screen_outliers') if screen_outliers == 'var' else screen_outliers -%}
{%- set fix_n = var('spc_fix_after_n_points', none) if fix_after_n_points == 'var' else fix_after_n_points -%}
{%- set min_firm = var('spc_min_points_for_firm_limits') if min_points_for_firm_limits == 'var' else min_points_for_firm_limits -%}
{%- if fix_n is not none and fix_n | int < 12 -%}
    {{ exceptions.raise_compiler_error("spc fix_after_n_points must be at least 12 (metrics-spec §9), got " ~ fix_n) }}
{%- endif -%}
{%- set keys = series_columns | join(', ') -%}
{%- set seg = keys ~ ', segment' -%}
{%- set by_seq = 'order by point_seq asc nulls last' -%}
with spc_charted_points as (
    select
        {% for c in series_columns %}{{ c }}, {% endfor %}
        {{ order_column }},
        cast({{ value_column }} as double) as spc_value,
        {{ higher_is_better_column }} as spc_higher_is_better,
        {% if exclude_column is not none -%}
        coalesce({{ exclude_column }}, false) as spc_excluded
        {%- else -%}
        false as spc_excluded
        {%- endif %}
    from {{ relation }}
    where {{ value_column }} is not null
),

spc_points as (
    select * from spc_charted_points where not spc_excluded
),

spc_segmented as (
    -- A rebase date starts a new segment at the first point on or after it.
    select
        {% for c in series_columns %}p.{{ c }}, {% endfor %}
        p.{{ order_column }},
        {% if rebase_relation is not none -%}
        1 + count(r.{{ rebase_date_column }}) as segment
        {%- else -%}
        1 as segment
        {%- endif %}
    from spc_charted_points as p
    {% if rebase_relation is not none -%}
    left join {{ rebase_relation }} as r
        on {% for c in series_columns %}r.{{ c }} = p.{{ c }} and {% endfor %}r.{{ rebase_date_column }} <= p.{{ order_column }}
    {% endif -%}
    group by {% for c in series_columns %}p.{{ c }}, {% endfor %}p.{{ order_column }}
),

spc_sequenced as (
    select
        p.*,
        s.segment,
        row_number() over (partition by {% for c in series_columns %}p.{{ c }}, {% endfor %}s.segment
                           order by p.{{ order_column }} asc nulls last) as point_seq
    from spc_points as p
    inner join spc_segmented as s
        on {% for c in series_columns %}s.{{ c }} = p.{{ c }} and {% endfor %}s.{{ order_column }} = p.{{ order_column }}
),

spc_ranged as (
    select
        *,
        abs(spc_value - lag(spc_value) over (partition by {{ seg }} {{ by_seq }})) as mr,
        -- Direction of the step from the previous point: 1 up, -1 down, 0 tie, null at a segment start.
        sign(spc_value - lag(spc_value) over (partition by {{ seg }} {{ by_seq }})) as step_direction,
        {% if fix_n is not none -%}
        least(count(*) over (partition by {{ seg }}), {{ fix_n | int }}) as limit_point_count
        {%- else -%}
        count(*) over (partition by {{ seg }}) as limit_point_count
        {%- endif %}
    from spc_sequenced
),

-- Means are exact decimal sums (decimal_mean): a double sum over an unordered window depends on the
-- order the engine meets the points in, and a limit moved by one bit can move a point across it.
spc_centred as (
    select
        *,
        {{ decimal_mean('case when point_seq <= limit_point_count then spc_value end', over='partition by ' ~ seg) }}
            as centre,
        {{ decimal_mean('case when point_seq <= limit_point_count then mr end', over='partition by ' ~ seg) }}
            as mr_bar_unscreened
    from spc_ranged
),

spc_screened as (
    select
        *,
        {% if screen -%}
        -- Keep only moving ranges strictly below 3.267 x MR-bar, then recompute MR-bar once; when every
        -- range is zero nothing is below the cut-off and MR-bar stays zero.
        coalesce(
            {{ decimal_mean('case when point_seq <= limit_point_count and mr < 3.267 * mr_bar_unscreened then mr end',
                            over='partition by ' ~ seg) }},
            mr_bar_unscreened
        ) as mr_bar
        {%- else -%}
        mr_bar_unscreened as mr_bar
        {%- endif %}
    from spc_centred
),

spc_limited as (
    select
        *,
        centre + 2.66 * mr_bar as upl,
        centre - 2.66 * mr_bar as lpl,
        centre + (cast(2.66 * 2 as double) / 3) * mr_bar as upper_2sigma,
        centre - (cast(2.66 * 2 as double) / 3) * mr_bar as lower_2sigma,
        sign(spc_value - centre) as side
    from spc_screened
),

spc_banded as (
    select
        *,
        -- Runs for rules 2 and 3 (gaps and islands): consecutive points with the same side of the
        -- mean, and consecutive steps in the same direction, share a run id.
        point_seq - row_number() over (partition by {{ seg }}, side {{ by_seq }}) as side_run_id,
        point_seq - row_number() over (partition by {{ seg }}, step_direction {{ by_seq }}) as step_run_id,
        case when side = 1 and spc_value > upper_2sigma and spc_value <= upl then 1 else 0 end as in_upper_band,
        case when side = -1 and spc_value < lower_2sigma and spc_value >= lpl then 1 else 0 end as in_lower_band
    from spc_limited
),

spc_runs as (
    select
        *,
        count(*) over (partition by {{ seg }}, side, side_run_id) as side_run_length,
        count(*) over (partition by {{ seg }}, step_direction, step_run_id) as step_run_length,
        -- Two of three: the window of this point and the next two (all in the segment) is all on one
        -- side of the mean with at least two of its points in that side's 2-sigma band.
        case when count(*) over (partition by {{ seg }} {{ by_seq }} rows between current row and 2 following) = 3
                  and sum(case when side = 1 then 1 else 0 end)
                      over (partition by {{ seg }} {{ by_seq }} rows between current row and 2 following) = 3
                  and sum(in_upper_band)
                      over (partition by {{ seg }} {{ by_seq }} rows between current row and 2 following) >= 2
             then 1 else 0 end as upper_window_fires,
        case when count(*) over (partition by {{ seg }} {{ by_seq }} rows between current row and 2 following) = 3
                  and sum(case when side = -1 then 1 else 0 end)
                      over (partition by {{ seg }} {{ by_seq }} rows between current row and 2 following) = 3
                  and sum(in_lower_band)
                      over (partition by {{ seg }} {{ by_seq }} rows between current row and 2 following) >= 2
             then 1 else 0 end as lower_window_fires
    from spc_banded
),

spc_trend_steps as (
    select
        *,
        -- A step belongs to a trend when 6 consecutive strict steps run the same way (7 points).
        case when step_direction <> 0 and step_run_length >= 6 then step_direction else 0 end as trend_step
    from spc_runs
),

spc_rules as (
    select
        *,
        coalesce(spc_value > upl or spc_value < lpl, false) as rule_1,
        side <> 0 and side_run_length >= 7 as rule_2,
        -- The run's first point is the one before its first step.
        trend_step <> 0
            or coalesce(lead(trend_step) over (partition by {{ seg }} {{ by_seq }}), 0) <> 0 as rule_3,
        (in_upper_band = 1 and max(upper_window_fires)
            over (partition by {{ seg }} {{ by_seq }} rows between 2 preceding and current row) = 1)
        or (in_lower_band = 1 and max(lower_window_fires)
            over (partition by {{ seg }} {{ by_seq }} rows between 2 preceding and current row) = 1) as rule_4,
        sign(lead(spc_value) over (partition by {{ seg }} {{ by_seq }}) - spc_value) as next_step_direction
    from spc_trend_steps
),

spc_classified as (
    select
        *,
        case
            when rule_1 then 'rule_1_outside_limits'
            when rule_3 then 'rule_3_trend'
            when rule_4 then 'rule_4_two_of_three'
            when rule_2 then 'rule_2_shift'
        end as special_cause_rule,
        -- The step that gives a trend point its direction: towards the next point while the trend goes
        -- on, else the step into the point (so a meeting point of two trends follows the later one).
        case when coalesce(lead(rule_3) over (partition by {{ seg }} {{ by_seq }}), false)
             then next_step_direction else step_direction end as trend_point_step
    from spc_rules
),

spc_directed as (
    select
        *,
        case
            when special_cause_rule = 'rule_3_trend' then case when trend_point_step > 0 then 1 else -1 end
            else side
        end as special_cause_direction
    from spc_classified
),

spc_assessed as (
    select
        {% for c in series_columns %}{{ c }}, {% endfor %}
        {{ order_column }}, spc_value, spc_higher_is_better, spc_excluded, segment, point_seq,
        centre, mr, mr_bar, upl, lpl, upper_2sigma, lower_2sigma, limit_point_count,
        rule_1, rule_2, rule_3, rule_4, special_cause_rule,
        case when special_cause_rule is not null then special_cause_direction end as special_cause_direction
    from spc_directed
){% if exclude_column is not none %},

spc_segment_limits as (
    -- Limits are constant within a segment.
    select
        {% for c in series_columns %}{{ c }}, {% endfor %}
        segment, max(centre) as centre, max(mr_bar) as mr_bar, max(upl) as upl, max(lpl) as lpl,
        max(upper_2sigma) as upper_2sigma, max(lower_2sigma) as lower_2sigma,
        max(limit_point_count) as limit_point_count
    from spc_assessed
    group by {{ seg }}
),

spc_unassessed as (
    select
        {% for c in series_columns %}p.{{ c }}, {% endfor %}
        p.{{ order_column }}, p.spc_value, p.spc_higher_is_better, p.spc_excluded, s.segment,
        cast(null as bigint) as point_seq,
        l.centre, cast(null as double) as mr, l.mr_bar, l.upl, l.lpl, l.upper_2sigma, l.lower_2sigma,
        l.limit_point_count,
        cast(null as boolean) as rule_1, cast(null as boolean) as rule_2,
        cast(null as boolean) as rule_3, cast(null as boolean) as rule_4,
        cast(null as {{ dbt.type_string() }}) as special_cause_rule,
        cast(null as int) as special_cause_direction
    from spc_charted_points as p
    inner join spc_segmented as s
        on {% for c in series_columns %}s.{{ c }} = p.{{ c }} and {% endfor %}s.{{ order_column }} = p.{{ order_column }}
    left join spc_segment_limits as l
        on {% for c in series_columns %}l.{{ c }} = p.{{ c }} and {% endfor %}l.segment = s.segment
    where p.spc_excluded
){% endif %}

select
    {% for c in series_columns %}{{ c }}, {% endfor %}
    {{ order_column }},
    spc_value as {{ value_column }},
    spc_higher_is_better as {{ higher_is_better_column }},
    cast(segment as int) as segment,
    cast(point_seq as int) as point_seq,
    centre,
    mr,
    mr_bar,
    upl,
    lpl,
    upper_2sigma,
    lower_2sigma,
    cast(limit_point_count as int) as limit_point_count,
    case
        when limit_point_count < {{ min_firm | int }} then 'trial'
        when limit_point_count >= {{ min_firm | int }} then 'firm'
    end as limits_status,
    {{ 'true' if screen else 'false' }} as screen_outliers,
    rule_1,
    rule_2,
    rule_3,
    rule_4,
    special_cause_rule,
    cast(special_cause_direction as int) as special_cause_direction,
    case
        when spc_excluded then 'not_assessed'
        when special_cause_rule is null then 'common_cause'
        when spc_higher_is_better is null then 'neither'
        when (special_cause_direction = 1) = spc_higher_is_better then 'improving'
        else 'concerning'
    end as variation,
    spc_excluded as is_excluded
from (
    select * from spc_assessed
    {%- if exclude_column is not none %}
    union all
    select * from spc_unassessed
    {%- endif %}
) as spc_charted
{%- endmacro %}


{% macro spc_assurance(target, upl, lpl, higher_is_better) -%}
    case
        when {{ target }} is null or {{ higher_is_better }} is null or {{ upl }} is null then null
        when {{ higher_is_better }} and {{ target }} > {{ upl }} then 'fail'
        when {{ higher_is_better }} and {{ target }} < {{ lpl }} then 'pass'
        when not {{ higher_is_better }} and {{ target }} < {{ lpl }} then 'fail'
        when not {{ higher_is_better }} and {{ target }} > {{ upl }} then 'pass'
        else 'hit_and_miss'
    end
{%- endmacro %}

{#- The chart columns of an spc_xmr point `alias`, typed, from segment to variation (fct_spc_point and
    fct_spc_yearly_point publish the same ones in the same order). -#}
{% macro spc_point_columns(alias) -%}
    {%- for name, data_type in [('segment', 'int'), ('point_seq', 'int'), ('centre', 'double'), ('mr', 'double'),
                                ('mr_bar', 'double'), ('upl', 'double'), ('lpl', 'double'),
                                ('upper_2sigma', 'double'), ('lower_2sigma', 'double'),
                                ('limit_point_count', 'int'), ('limits_status', dbt.type_string()),
                                ('screen_outliers', 'boolean'), ('rule_1', 'boolean'), ('rule_2', 'boolean'),
                                ('rule_3', 'boolean'), ('rule_4', 'boolean'),
                                ('special_cause_rule', dbt.type_string()), ('special_cause_direction', 'int'),
                                ('variation', dbt.type_string())] %}
    cast({{ alias }}.{{ name }} as {{ data_type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- A BI chart's centre, limits and 2-sigma lines of point `alias`: null where its segment holds a
    withheld value (has_withheld = 1), since with the exact centre they would give the withheld sum. -#}
{% macro spc_published_limits(alias) -%}
    {%- for name in ['centre', 'upl', 'lpl', 'upper_2sigma', 'lower_2sigma'] %}
    cast(case when {{ alias }}.has_withheld = 0 then {{ alias }}.{{ name }} end as double) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
