{{ config(materialized='table') }}

-- int_relative_likelihood_counts: the annual events and bases behind the relative likelihoods of
-- WRES 2-4 and WDES 2-3 (metrics-spec §2-§4), one row per trust, financial year, measure and group.
-- fct_relative_likelihood orients them (numerator / denominator group) from ref_measure and derives
-- the two-year windows of WRES 3 / WDES 3 from these annual counts (§3.1).
--
-- The year an event counts in follows the setting events_window (reporting_year_of_event): the
-- financial year by default, or the calendar year ending in the reporting year.
--
-- Counting units (§3): WRES/WDES 2 count applications shortlisted in the year and those appointed,
-- with the group the applicant declared. Monthly shortlisting cohorts still inside the follow-up window
-- (int_recruitment_cohorts_matured) are left out - their appointments are not all recorded yet - and
-- the year is flagged (flag_immature_cohorts_excluded): the latest year then counts its mature months
-- only, unbiased, instead of all of them with the last ones artificially low. WRES 3, WDES 3 and WRES 4 count distinct staff with at least
-- one event dated in the year, over the 31 March headcount (WRES population). A person's group is the
-- one used for the headcount (their 31 March record) when they are in it; staff who left before
-- 31 March keep the group of the staff version in force at their latest event of the year. Leavers'
-- events count: a case that ends in dismissal or resignation happened in the year all the same.
{%- set staff_measures = {
    'rl_bme_vs_white_entering_formal_disciplinary': 'ethnicity',
    'rl_disabled_vs_nondisabled_entering_formal_capability_performance': 'disability',
    'rl_white_vs_bme_accessing_nonmandatory_training': 'ethnicity',
} %}
{%- set application_measures = {
    'rl_white_vs_bme_appointed_from_shortlisting': 'ethnicity',
    'rl_nondisabled_vs_disabled_appointed_from_shortlisting': 'disability',
} %}

with measure_groups as (
    select measure_id, numerator_group as group_value from {{ ref('ref_measure') }}
    union
    select measure_id, denominator_group as group_value from {{ ref('ref_measure') }}
),

organisations as (
    select trust_code from {{ ref('dim_organisation') }}
),

-- WRES 2 / WDES 2 ----------------------------------------------------------------------------------
cohort_maturity as (
    select organisation_code, mature_cohort_end_date
    from {{ ref('int_recruitment_cohorts_matured') }}
),

shortlisted as (
    select
        a.organisation_code,
        {{ reporting_year_of_event('a.shortlisting_date_key', 'a.shortlisting_fy_end') }} as fy_end,
        e.wres_group,
        d.disability_status,
        a.is_appointed,
        -- The application's cohort is its shortlisting month: immature when that month ends too late.
        coalesce(cast({{ dbt.last_day('a.shortlisting_date_key', 'month') }} as date) > c.mature_cohort_end_date,
                 false) as in_immature_cohort
    from {{ ref('fct_recruitment_application') }} as a
    inner join organisations as o
        on a.organisation_code = o.trust_code
    left join cohort_maturity as c
        on a.organisation_code = c.organisation_code
    left join {{ ref('dim_ethnicity') }} as e
        on a.ethnicity_key = e.ethnicity_key
    left join {{ ref('dim_disability') }} as d
        on a.disability_key = d.disability_key
    where a.is_shortlisted
        and a.shortlisting_fy_end is not null
),

applications as (
    select organisation_code, fy_end, wres_group, disability_status, is_appointed
    from shortlisted
    where not in_immature_cohort
),

application_groups as (
    {%- for measure_id, dimension in application_measures.items() %}
    select
        organisation_code,
        fy_end,
        '{{ measure_id }}' as measure_id,
        '{{ dimension }}' as group_dimension,
        {{ 'wres_group' if dimension == 'ethnicity' else 'disability_status' }} as group_value,
        is_appointed
    from applications
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

application_counts as (
    select
        organisation_code,
        fy_end,
        measure_id,
        group_dimension,
        group_value,
        sum(case when is_appointed then 1 else 0 end) as events,
        count(*) as base
    from application_groups
    group by organisation_code, fy_end, measure_id, group_dimension, group_value
),

-- Years with a mature cohort; a year still running past the mature cohort end lost its last months.
application_years as (
    select distinct
        a.organisation_code,
        a.fy_end,
        coalesce(a.fy_end > c.mature_cohort_end_date, false) as flag_immature_cohorts_excluded
    from applications as a
    left join cohort_maturity as c
        on a.organisation_code = c.organisation_code
),

-- WRES 3 / WDES 3 / WRES 4 -------------------------------------------------------------------------
workforce as (
    select organisation_code, fy_end, staff_key, wres_group, disability_status
    from {{ ref('int_workforce_snapshot_classified') }}
    where is_march_31_snapshot
        and in_wres_population
),

-- One row per event. The class filters are the WRES 3 / WDES 3 rule of §4: disciplinary (conduct)
-- cases only for WRES 3, capability on performance grounds only for WDES 3.
staff_events as (
    select
        organisation_code,
        {{ reporting_year_of_event('entry_date_key', 'entry_fy_end') }} as fy_end,
        'rl_bme_vs_white_entering_formal_disciplinary' as measure_id,
        staff_key,
        staff_version_key,
        entry_date_key as event_date,
        case_reference as event_key
    from {{ ref('fct_er_case') }}
    where is_formal
        and er_case_class = 'disciplinary_conduct'
        and staff_version_key is not null
    union all
    select
        organisation_code,
        {{ reporting_year_of_event('entry_date_key', 'entry_fy_end') }} as fy_end,
        'rl_disabled_vs_nondisabled_entering_formal_capability_performance' as measure_id,
        staff_key,
        staff_version_key,
        entry_date_key as event_date,
        case_reference as event_key
    from {{ ref('fct_er_case') }}
    where is_formal
        and er_case_class = 'capability_performance'
        and staff_version_key is not null
    union all
    -- fct_training holds only non-mandatory courses (CPD).
    select
        t.organisation_code,
        {{ reporting_year_of_event('t.date_key', 'd.fy_end') }} as fy_end,
        'rl_white_vs_bme_accessing_nonmandatory_training' as measure_id,
        t.staff_key,
        t.staff_version_key,
        t.date_key as event_date,
        t.training_key as event_key
    from {{ ref('fct_training') }} as t
    inner join {{ ref('dim_date') }} as d
        on t.date_key = d.date_key
    where t.staff_version_key is not null
),

-- A person counts once per trust, year and measure: keep their latest event of the year (event_key
-- breaks a tie between two events on one day, so the kept row never depends on row position).
latest_event as (
    select
        organisation_code,
        fy_end,
        measure_id,
        staff_key,
        staff_version_key,
        row_number() over (
            partition by organisation_code, fy_end, measure_id, staff_key
            order by event_date desc nulls last, staff_version_key asc nulls last, event_key asc nulls last
        ) as event_rank
    from staff_events
),

staff_classified as (
    select
        ev.organisation_code,
        ev.fy_end,
        ev.measure_id,
        ev.staff_key,
        case
            when w.staff_key is not null then w.wres_group
            when {{ wres_population_member('s') }} then e.wres_group
        end as wres_group,
        case
            when w.staff_key is not null then w.disability_status
            when {{ wres_population_member('s') }} then di.disability_status
        end as disability_status
    from latest_event as ev
    inner join {{ ref('dim_staff') }} as s
        on ev.staff_version_key = s.staff_version_key
    left join {{ ref('dim_ethnicity') }} as e
        on s.ethnicity_key = e.ethnicity_key
    left join {{ ref('dim_disability') }} as di
        on s.disability_key = di.disability_key
    left join workforce as w
        on ev.organisation_code = w.organisation_code
        and ev.fy_end = w.fy_end
        and ev.staff_key = w.staff_key
    where ev.event_rank = 1
),

staff_event_groups as (
    select
        organisation_code,
        fy_end,
        measure_id,
        case
            {%- for measure_id, dimension in staff_measures.items() %}
            when measure_id = '{{ measure_id }}' then {{ 'wres_group' if dimension == 'ethnicity' else 'disability_status' }}
            {%- endfor %}
        end as group_value
    from staff_classified
),

staff_event_counts as (
    select organisation_code, fy_end, measure_id, group_value, count(*) as events
    from staff_event_groups
    group by organisation_code, fy_end, measure_id, group_value
),

headcount_groups as (
    {%- for measure_id, dimension in staff_measures.items() %}
    select
        organisation_code,
        fy_end,
        '{{ measure_id }}' as measure_id,
        '{{ dimension }}' as group_dimension,
        {{ 'wres_group' if dimension == 'ethnicity' else 'disability_status' }} as group_value
    from workforce
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

headcounts as (
    select organisation_code, fy_end, measure_id, group_dimension, group_value, count(*) as base
    from headcount_groups
    group by organisation_code, fy_end, measure_id, group_dimension, group_value
),

workforce_years as (
    select distinct organisation_code, fy_end, false as flag_immature_cohorts_excluded from workforce
),

-- Every trust-year gets both groups of every measure, with zeros where nothing happened.
scaffold as (
    {%- for measures, years in [(application_measures, 'application_years'), (staff_measures, 'workforce_years')] %}
    {%- for measure_id, dimension in measures.items() %}
    select
        y.organisation_code, y.fy_end, g.measure_id, '{{ dimension }}' as group_dimension, g.group_value,
        y.flag_immature_cohorts_excluded
    from {{ years }} as y
    cross join measure_groups as g
    where g.measure_id = '{{ measure_id }}'
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    cast(s.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(s.fy_end as date) as fy_end,
    cast(s.measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(s.group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(s.group_value as {{ dbt.type_string() }}) as group_value,
    cast(coalesce(ac.events, se.events, 0) as bigint) as events,
    cast(coalesce(ac.base, h.base, 0) as bigint) as base,
    cast(s.flag_immature_cohorts_excluded as boolean) as flag_immature_cohorts_excluded
from scaffold as s
left join application_counts as ac
    on s.organisation_code = ac.organisation_code
    and s.fy_end = ac.fy_end
    and s.measure_id = ac.measure_id
    and s.group_value = ac.group_value
left join staff_event_counts as se
    on s.organisation_code = se.organisation_code
    and s.fy_end = se.fy_end
    and s.measure_id = se.measure_id
    and s.group_value = se.group_value
left join headcounts as h
    on s.organisation_code = h.organisation_code
    and s.fy_end = h.fy_end
    and s.measure_id = h.measure_id
    and s.group_value = h.group_value
