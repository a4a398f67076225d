-- int_edi_measure__differential_attainment: differential attainment of doctors in training in the long
-- measure shape of fct_edi_measure, per trust and financial year:
-- - relative likelihood of a non-standard ARCP outcome (2, 3, 4) among counted outcomes (1, 2, 3, 4, 6;
--   ref_arcp_outcome), for every relative likelihood the measure catalogue sources from fct_arcp_outcome
--   (numerator vs denominator group: UK BME, EEA and IMG vs UK White, Female vs Male, Disabled vs
--   non-disabled), through the
--   shared relative_likelihood macro (Katz CI, zero-cell correction, flags);
-- - first-attempt pass rate per trainee group (Wilson CI) and its gap to UK White in pp (Newcombe CI);
-- - NETS indicators: positive % per programme and group (Wilson CI), publisher-suppressed cells and
--   the Not stated groups left out (their respondents are never published, as in the Staff Survey).
with catalogue as (
    select measure_id, measure_kind, numerator_group, denominator_group, source_fact
    from {{ ref('ref_measure') }}
    where standard = 'DA'
),

counted_reviews as (
    select
        f.organisation_code,
        f.review_fy_end as fy_end,
        f.is_non_standard,
        t.attainment_group,
        coalesce(dis.disability_status, 'Unknown') as disability_status,
        coalesce(sx.sex, 'Unknown') as sex
    from {{ ref('fct_arcp_outcome') }} as f
    inner join {{ ref('dim_trainee') }} as t
        on f.trainee_version_key = t.trainee_version_key
    left join {{ ref('dim_disability') }} as dis
        on t.disability_key = dis.disability_key
    left join {{ ref('dim_sex') }} as sx
        on t.sex_key = sx.sex_key
    where f.is_counted
        and f.review_fy_end is not null
),

review_groups as (
    {%- for dimension, column in [('ethnicity_pmq', 'attainment_group'), ('disability', 'disability_status'),
                                  ('sex', 'sex')] %}
    select
        organisation_code, fy_end, '{{ dimension }}' as group_dimension, {{ column }} as group_value,
        sum(case when is_non_standard then 1 else 0 end) as events, count(*) as base
    from counted_reviews
    group by organisation_code, fy_end, {{ column }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

-- each group's count and its reference group's (both must have reviews in the year)
arcp_comparisons as (
    select
        c.measure_id,
        n.organisation_code,
        n.fy_end,
        n.group_dimension,
        n.group_value,
        c.denominator_group as reference_group,
        n.events as a,
        n.base as n1,
        d.events as c,
        d.base as n0
    from catalogue as c
    inner join review_groups as n
        on n.group_value = c.numerator_group
    inner join review_groups as d
        on d.organisation_code = n.organisation_code
        and d.fy_end = n.fy_end
        and d.group_dimension = n.group_dimension
        and d.group_value = c.denominator_group
    where c.source_fact = 'fct_arcp_outcome'
        and c.measure_kind = 'relative_likelihood'
),

arcp_rl as (
    select
        arcp_comparisons.*,
        {{ relative_likelihood('a', 'n1', 'c', 'n0') }}
    from arcp_comparisons
),

first_attempts as (
    select
        e.organisation_code,
        e.exam_fy_end as fy_end,
        t.attainment_group as group_value,
        sum(case when e.is_pass then 1 else 0 end) as passed,
        count(*) as sat
    from {{ ref('fct_exam_attempt') }} as e
    inner join {{ ref('dim_trainee') }} as t
        on e.trainee_version_key = t.trainee_version_key
    where e.is_first_attempt
        and e.exam_fy_end is not null
    group by e.organisation_code, e.exam_fy_end, t.attainment_group
),

pass_gaps as (
    select
        g.organisation_code,
        g.fy_end,
        g.group_value,
        c.denominator_group as reference_group,
        g.passed,
        g.sat,
        r.passed as reference_passed,
        r.sat as reference_sat
    from catalogue as c
    inner join first_attempts as g
        on g.group_value not in ('Unknown', 'UK Unknown')
        and g.group_value <> c.denominator_group
    inner join first_attempts as r
        on r.organisation_code = g.organisation_code
        and r.fy_end = g.fy_end
        and r.group_value = c.denominator_group
    where c.measure_id = 'first_attempt_pass_gap_pp'
),

nets as (
    select
        r.organisation_code,
        r.fy_end,
        c.measure_id,
        r.programme_code,
        r.group_dimension,
        r.group_value,
        r.positive_count,
        r.respondent_count
    from {{ ref('fct_nets_result') }} as r
    inner join catalogue as c
        on c.measure_id = {{ dbt.concat(["'nets_'", 'lower(r.indicator_code)', "'_pct'"]) }}
    where not r.is_suppressed
        and r.group_value <> 'Unknown'
),

long as (
    select
        organisation_code, fy_end, measure_id, 'default' as variant,
        'overall' as breakdown_type, 'all' as breakdown_value, group_dimension, group_value, reference_group,
        a as numerator, n1 as denominator, c as reference_numerator, n0 as reference_denominator,
        {{ rl_published_value() }} as value,
        rl_value as value_uncorrected,
        {{ rl_zero_cell_corrected() }} as flag_zero_cell_corrected,
        'ratio' as value_unit,
        ci_lower, ci_upper, flag_small_count, flag_zero_cell, flag_ci_spans_parity, flag_volatile
    from arcp_rl

    union all

    select
        organisation_code, fy_end, 'first_attempt_pass_rate_pct', 'default',
        'overall', 'all', 'ethnicity_pmq', group_value, cast(null as {{ dbt.type_string() }}),
        passed, sat, cast(null as bigint), cast(null as bigint),
        100.0 * cast(passed as double) / nullif(cast(sat as double), 0),
        100.0 * cast(passed as double) / nullif(cast(sat as double), 0),
        false,
        'percent',
        100.0 * {{ wilson_lower('passed', 'sat') }}, 100.0 * {{ wilson_upper('passed', 'sat') }},
        passed between 1 and 7, cast(null as boolean), cast(null as boolean), passed between 1 and 7
    from first_attempts

    union all

    select
        organisation_code, fy_end, 'first_attempt_pass_gap_pp', 'default',
        'overall', 'all', 'ethnicity_pmq', group_value, reference_group,
        passed, sat, reference_passed, reference_sat,
        100.0 * (cast(passed as double) / sat - cast(reference_passed as double) / reference_sat),
        100.0 * (cast(passed as double) / sat - cast(reference_passed as double) / reference_sat),
        false,
        'pp',
        100.0 * {{ newcombe_diff_lower('passed', 'sat', 'reference_passed', 'reference_sat') }},
        100.0 * {{ newcombe_diff_upper('passed', 'sat', 'reference_passed', 'reference_sat') }},
        passed between 1 and 7 or reference_passed between 1 and 7,
        cast(null as boolean),
        {{ newcombe_diff_lower('passed', 'sat', 'reference_passed', 'reference_sat') }} <= 0
            and {{ newcombe_diff_upper('passed', 'sat', 'reference_passed', 'reference_sat') }} >= 0,
        passed between 1 and 7 or reference_passed between 1 and 7
            or ({{ newcombe_diff_lower('passed', 'sat', 'reference_passed', 'reference_sat') }} <= 0
                and {{ newcombe_diff_upper('passed', 'sat', 'reference_passed', 'reference_sat') }} >= 0)
    from pass_gaps

    union all

    select
        organisation_code, fy_end, measure_id, 'default',
        'programme', programme_code, group_dimension, group_value, cast(null as {{ dbt.type_string() }}),
        positive_count, respondent_count, cast(null as bigint), cast(null as bigint),
        100.0 * cast(positive_count as double) / nullif(cast(respondent_count as double), 0),
        100.0 * cast(positive_count as double) / nullif(cast(respondent_count as double), 0),
        false,
        'percent',
        100.0 * {{ wilson_lower('positive_count', 'respondent_count') }},
        100.0 * {{ wilson_upper('positive_count', 'respondent_count') }},
        coalesce(respondent_count < {{ var('sdc_min_respondents') }}, true),
        cast(null as boolean), cast(null as boolean),
        coalesce(respondent_count < {{ var('sdc_min_respondents') }}, true)
    from nets
)

select
    {{ edi_measure_columns({
        'period_type': "'financial_year'",
        'period_end': "fy_end",
        'flag_window_incomplete': "false"}) }}
from long
