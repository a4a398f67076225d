{{ config(contract={'enforced': true}) }}

-- fct_relative_likelihood: WRES 2-4 and WDES 2-3 (metrics-spec §2-§4). Annual counts come from
-- int_relative_likelihood_counts; ref_measure says which group is the numerator. Every measure gets a
-- single_year row; WRES 3 and WDES 3 also get the two two-year windows of §3.1 (pooled counts, and
-- the mean of the two annual RLs), falling back to the single year with flag_window_incomplete when
-- the previous year is missing. WRES 2 / WDES 2 count mature shortlisting cohorts only; a year that lost
-- its last, immature months carries flag_immature_cohorts_excluded.
{%- set two_year_measures = [
    'rl_bme_vs_white_entering_formal_disciplinary',
    'rl_disabled_vs_nondisabled_entering_formal_capability_performance',
] %}

with measures as (
    select
        measure_id,
        standard,
        indicator_code,
        bi_label,
        numerator_group,
        denominator_group,
        protected_group,
        event_polarity,
        adverse_side
    from {{ ref('ref_measure') }}
    where measure_kind = 'relative_likelihood'
),

annual as (
    select
        c.organisation_code,
        c.fy_end,
        c.measure_id,
        max(c.group_dimension) as group_dimension,
        sum(case when c.group_value = m.numerator_group then c.events else 0 end) as numerator_events,
        sum(case when c.group_value = m.numerator_group then c.base else 0 end) as numerator_base,
        sum(case when c.group_value = m.denominator_group then c.events else 0 end) as denominator_events,
        sum(case when c.group_value = m.denominator_group then c.base else 0 end) as denominator_base,
        {{ dbt.bool_or('c.flag_immature_cohorts_excluded') }} as flag_immature_cohorts_excluded
    from {{ ref('int_relative_likelihood_counts') }} as c
    inner join measures as m
        on c.measure_id = m.measure_id
    group by c.organisation_code, c.fy_end, c.measure_id
),

annual_rl as (
    select
        annual.*,
        {{ relative_likelihood('numerator_events', 'numerator_base', 'denominator_events', 'denominator_base') }}
    from annual
),

-- Current year beside the previous one, for the two-year measures.
paired as (
    select
        cur.organisation_code,
        cur.fy_end,
        cur.measure_id,
        cur.group_dimension,
        prev.fy_end is null as flag_window_incomplete,
        cur.flag_immature_cohorts_excluded or coalesce(prev.flag_immature_cohorts_excluded, false)
            as flag_immature_cohorts_excluded,
        cur.numerator_events + coalesce(prev.numerator_events, 0) as numerator_events,
        cur.numerator_base + coalesce(prev.numerator_base, 0) as numerator_base,
        cur.denominator_events + coalesce(prev.denominator_events, 0) as denominator_events,
        cur.denominator_base + coalesce(prev.denominator_base, 0) as denominator_base,
        cur.rl_value as current_rl_value,
        prev.rl_value as previous_rl_value,
        cur.rl_corrected as current_rl_corrected,
        cur.ci_lower as current_ci_lower,
        cur.ci_upper as current_ci_upper,
        cur.flag_small_count as current_flag_small_count,
        cur.flag_zero_cell as current_flag_zero_cell,
        cur.flag_ci_spans_parity as current_flag_ci_spans_parity,
        cur.flag_volatile as current_flag_volatile,
        coalesce(prev.flag_small_count, false) as previous_flag_small_count,
        coalesce(prev.flag_zero_cell, false) as previous_flag_zero_cell
    from annual_rl as cur
    left join annual_rl as prev
        on cur.organisation_code = prev.organisation_code
        and cur.measure_id = prev.measure_id
        and prev.fy_end = cast({{ dbt.dateadd('year', -1, 'cur.fy_end') }} as date)
    where cur.measure_id in ('{{ two_year_measures | join("', '") }}')
),

single_year as (
    select
        organisation_code, fy_end, measure_id, group_dimension, 'single_year' as window_method,
        false as flag_window_incomplete, flag_immature_cohorts_excluded,
        numerator_events, numerator_base, denominator_events, denominator_base,
        rl_value, rl_corrected, ci_lower, ci_upper,
        flag_small_count, flag_zero_cell, flag_ci_spans_parity, flag_volatile
    from annual_rl
),

-- §3.1 pooled: (events_y + events_y-1) / (base_y + base_y-1) per group; CI from the pooled counts.
pooled as (
    select
        organisation_code, fy_end, measure_id, group_dimension, 'pooled' as window_method,
        flag_window_incomplete, flag_immature_cohorts_excluded,
        numerator_events, numerator_base, denominator_events, denominator_base,
        {{ relative_likelihood('numerator_events', 'numerator_base', 'denominator_events', 'denominator_base') }}
    from paired
),

-- §3.1 mean_of_annual_rl: the mean of the two annual RLs, no CI (a year without a previous one keeps
-- its single-year values). Counts are the two-year totals; the count flags look at both years.
mean_of_annual as (
    select
        organisation_code, fy_end, measure_id, group_dimension, 'mean_of_annual_rl' as window_method,
        flag_window_incomplete, flag_immature_cohorts_excluded,
        numerator_events, numerator_base, denominator_events, denominator_base,
        case
            when flag_window_incomplete then current_rl_value
            else (current_rl_value + previous_rl_value) / 2.0
        end as rl_value,
        case when flag_window_incomplete then current_rl_corrected end as rl_corrected,
        case when flag_window_incomplete then current_ci_lower end as ci_lower,
        case when flag_window_incomplete then current_ci_upper end as ci_upper,
        current_flag_small_count or previous_flag_small_count as flag_small_count,
        current_flag_zero_cell or previous_flag_zero_cell as flag_zero_cell,
        flag_window_incomplete and current_flag_ci_spans_parity as flag_ci_spans_parity,
        case
            when flag_window_incomplete then current_flag_volatile
            else current_flag_small_count or previous_flag_small_count
                or current_flag_zero_cell or previous_flag_zero_cell
        end as flag_volatile
    from paired
),

windows as (
    select * from single_year
    union all
    select * from pooled
    union all
    select * from mean_of_annual
)

select
    cast(w.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(w.fy_end as date) as fy_end,
    cast(w.measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(w.window_method as {{ dbt.type_string() }}) as window_method,
    cast(
        w.window_method = case
            when w.measure_id in ('{{ two_year_measures | join("', '") }}') then '{{ edi_setting("wres_ind3_window_method") }}'
            else 'single_year'
        end
    as boolean) as is_headline,
    cast(m.standard as {{ dbt.type_string() }}) as standard,
    cast(m.indicator_code as {{ dbt.type_string() }}) as indicator_code,
    cast(m.bi_label as {{ dbt.type_string() }}) as bi_label,
    cast(w.group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(m.numerator_group as {{ dbt.type_string() }}) as numerator_group,
    cast(m.denominator_group as {{ dbt.type_string() }}) as denominator_group,
    cast(m.protected_group as {{ dbt.type_string() }}) as protected_group,
    cast(m.event_polarity as {{ dbt.type_string() }}) as event_polarity,
    cast(m.adverse_side as {{ dbt.type_string() }}) as adverse_side,
    cast(w.numerator_events as bigint) as numerator_events,
    cast(w.numerator_base as bigint) as numerator_base,
    cast(cast(w.numerator_events as double) / nullif(cast(w.numerator_base as double), 0) as double) as numerator_rate,
    cast(w.denominator_events as bigint) as denominator_events,
    cast(w.denominator_base as bigint) as denominator_base,
    cast(cast(w.denominator_events as double) / nullif(cast(w.denominator_base as double), 0) as double) as denominator_rate,
    cast(w.rl_value as double) as rl_value,
    cast(w.rl_corrected as double) as rl_corrected,
    cast(w.ci_lower as double) as ci_lower,
    cast(w.ci_upper as double) as ci_upper,
    cast(w.flag_small_count as boolean) as flag_small_count,
    cast(w.flag_zero_cell as boolean) as flag_zero_cell,
    cast(w.flag_ci_spans_parity as boolean) as flag_ci_spans_parity,
    cast(w.flag_volatile as boolean) as flag_volatile,
    cast(w.flag_window_incomplete as boolean) as flag_window_incomplete,
    cast(w.flag_immature_cohorts_excluded as boolean) as flag_immature_cohorts_excluded
from windows as w
inner join measures as m
    on w.measure_id = m.measure_id
