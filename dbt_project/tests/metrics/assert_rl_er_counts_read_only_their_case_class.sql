{{ config(meta={'dagster': {'ref': {'name': 'int_relative_likelihood_counts'}}}) }}
-- WRES 3 reads only disciplinary (conduct) cases and WDES 3 only capability (performance) cases
-- (metrics-spec §4). Recount the events of int_relative_likelihood_counts from fct_er_case through
-- the case-type seed's own flags (is_wres3_disciplinary / is_wdes3_capability_performance), not the
-- class names the model filters on: any row returned is a trust, year, measure and group whose count
-- differs, as it would if the class filters were swapped or widened.
with cases as (
    select
        c.organisation_code,
        c.entry_fy_end as fy_end,
        c.staff_key,
        c.staff_version_key,
        c.entry_date_key,
        case
            when t.is_wres3_disciplinary then 'rl_bme_vs_white_entering_formal_disciplinary'
            when t.is_wdes3_capability_performance then 'rl_disabled_vs_nondisabled_entering_formal_capability_performance'
        end as measure_id
    from {{ ref('fct_er_case') }} as c
    inner join {{ ref('dim_er_case_type') }} as t
        on c.er_case_type_key = t.er_case_type_key
    where c.is_formal
        and c.staff_version_key is not null
        and (t.is_wres3_disciplinary or t.is_wdes3_capability_performance)
),

latest as (
    select
        cases.*,
        row_number() over (
            partition by organisation_code, fy_end, measure_id, staff_key
            order by entry_date_key desc nulls last, staff_version_key asc nulls last
        ) as case_rank
    from cases
),

-- Same group rule as the model: the 31 March record when in post, else the version at the event.
grouped as (
    select
        l.organisation_code,
        l.fy_end,
        l.measure_id,
        case
            when l.measure_id = 'rl_bme_vs_white_entering_formal_disciplinary'
                then coalesce(w.wres_group, case when {{ wres_population_member('s') }} then e.wres_group end)
            else coalesce(w.disability_status, case when {{ wres_population_member('s') }} then d.disability_status end)
        end as group_value
    from latest as l
    inner join {{ ref('dim_staff') }} as s
        on l.staff_version_key = s.staff_version_key
    left join {{ ref('dim_ethnicity') }} as e
        on s.ethnicity_key = e.ethnicity_key
    left join {{ ref('dim_disability') }} as d
        on s.disability_key = d.disability_key
    left join {{ ref('int_workforce_snapshot_classified') }} as w
        on l.organisation_code = w.organisation_code
        and l.fy_end = w.snapshot_date
        and l.staff_key = w.staff_key
        and w.is_march_31_snapshot
        and w.in_wres_population
    where l.case_rank = 1
),

recount as (
    select organisation_code, fy_end, measure_id, group_value, count(*) as events
    from grouped
    group by organisation_code, fy_end, measure_id, group_value
),

model as (
    select organisation_code, fy_end, measure_id, group_value, events
    from {{ ref('int_relative_likelihood_counts') }}
    where measure_id in (
        'rl_bme_vs_white_entering_formal_disciplinary',
        'rl_disabled_vs_nondisabled_entering_formal_capability_performance'
    )
)

select
    m.organisation_code,
    m.fy_end,
    m.measure_id,
    m.group_value,
    m.events as model_events,
    coalesce(r.events, 0) as recounted_events
from model as m
left join recount as r
    on m.organisation_code = r.organisation_code
    and m.fy_end = r.fy_end
    and m.measure_id = r.measure_id
    and m.group_value = r.group_value
where m.events <> coalesce(r.events, 0)
