{{ config(materialized='table') }}

-- int_spc_series: the monthly and quarterly series the SPC charts plot (metrics-spec §9), per trust.
-- Periods come from the trust's month-end workforce snapshots, which exist only for months the ESR
-- extract covers to the end, so a part month is never charted; a quarter needs all three months.
-- Months without events are kept with a zero count. Appointment-rate periods whose shortlisting cohort
-- is still inside the follow-up window (int_recruitment_cohorts_matured) are marked is_immature: their
-- appointments are not all in yet, so fct_spc_point charts them without assessing them.
with month_ends as (
    select
        organisation_code,
        snapshot_date as month_end,
        {{ edi_month_start_of('snapshot_date') }} as month_start,
        cast({{ dbt.date_trunc('quarter', 'snapshot_date') }} as date) as quarter_start,
        fy_end,
        sum(case when group_dimension = 'all' then headcount else 0 end) as headcount,
        sum(case when group_dimension = 'cluster_c4_ethnicity' and group_value = 'BME' then headcount else 0 end)
            as c4_bme_headcount,
        sum(case when group_dimension = 'cluster_c4_ethnicity' and group_value in ('BME', 'White')
            then headcount else 0 end) as c4_known_headcount
    from {{ ref('int_workforce_month_headcount') }}
    group by organisation_code, snapshot_date, fy_end
),

incidents as (
    -- Abuse of staff (violence, aggression, bullying, harassment, discrimination), one count per
    -- person affected; rejected reports are left out as in HIA6.
    select
        i.organisation_code,
        i.incident_month as month_start,
        count(*) as incidents
    from {{ ref('fct_staff_incident') }} as i
    inner join {{ ref('dim_incident_type') }} as t
        on i.incident_type_key = t.incident_type_key
    where t.is_abuse_of_staff
        and not i.is_rejected
    group by i.organisation_code, i.incident_month
),

er_entries as (
    select
        organisation_code,
        {{ edi_month_start_of('entry_date_key') }} as month_start,
        count(*) as er_entries
    from {{ ref('fct_er_case') }}
    where is_formal
    group by organisation_code, {{ edi_month_start_of('entry_date_key') }}
),

recruitment as (
    select
        organisation_code,
        {{ edi_month_start_of('shortlisting_date_key') }} as month_start,
        sum(case when is_appointed then 1 else 0 end) as appointed,
        count(*) as shortlisted
    from {{ ref('fct_recruitment_application') }}
    where is_shortlisted
    group by organisation_code, {{ edi_month_start_of('shortlisting_date_key') }}
),

cohort_maturity as (
    select organisation_code, mature_cohort_end_date
    from {{ ref('int_recruitment_cohorts_matured') }}
),

monthly as (
    select
        m.organisation_code,
        m.month_end,
        m.quarter_start,
        m.fy_end,
        m.headcount,
        m.c4_bme_headcount,
        m.c4_known_headcount,
        coalesce(i.incidents, 0) as incidents,
        coalesce(e.er_entries, 0) as er_entries,
        coalesce(r.appointed, 0) as appointed,
        coalesce(r.shortlisted, 0) as shortlisted
    from month_ends as m
    left join incidents as i
        on m.organisation_code = i.organisation_code and m.month_start = i.month_start
    left join er_entries as e
        on m.organisation_code = e.organisation_code and m.month_start = e.month_start
    left join recruitment as r
        on m.organisation_code = r.organisation_code and m.month_start = r.month_start
),

quarter_ends as (
    select
        organisation_code,
        quarter_start,
        max(month_end) as quarter_end,
        sum(incidents) as incidents,
        sum(er_entries) as er_entries,
        sum(appointed) as appointed,
        sum(shortlisted) as shortlisted
    from monthly
    group by organisation_code, quarter_start
    having count(*) = 3
),

periods as (
    -- Flows are summed over the period; stocks (headcounts) are taken at its end.
    select
        'month' as period_type, organisation_code, month_end as period_end, fy_end, headcount,
        c4_bme_headcount, c4_known_headcount, incidents, er_entries, appointed, shortlisted
    from monthly
    union all
    select
        'quarter', q.organisation_code, q.quarter_end, m.fy_end, m.headcount,
        m.c4_bme_headcount, m.c4_known_headcount, q.incidents, q.er_entries, q.appointed, q.shortlisted
    from quarter_ends as q
    inner join monthly as m
        on q.organisation_code = m.organisation_code and q.quarter_end = m.month_end
),

series as (
    select
        organisation_code, period_type, period_end, fy_end, 'spc_incidents_per_1000' as measure_stem,
        'all' as group_dimension, 'all' as group_value, incidents as numerator, headcount as denominator,
        {{ rate_per_1000('incidents', 'headcount') }} as value,
        false as is_immature
    from periods
    union all
    select
        organisation_code, period_type, period_end, fy_end, 'spc_er_entry_per_1000',
        'all', 'all', er_entries, headcount,
        {{ rate_per_1000('er_entries', 'headcount') }},
        false
    from periods
    union all
    -- A period is one shortlisting cohort: immature when it ends after the trust's mature cohort end.
    select
        p.organisation_code, p.period_type, p.period_end, p.fy_end, 'spc_appointment_rate_pct',
        'all', 'all', p.appointed, p.shortlisted,
        {{ share_pct('p.appointed', 'p.shortlisted') }},
        coalesce(p.period_end > c.mature_cohort_end_date, false)
    from periods as p
    left join cohort_maturity as c
        on p.organisation_code = c.organisation_code
    union all
    select
        organisation_code, period_type, period_end, fy_end, 'spc_bme_share_8c_plus_pct',
        'ethnicity', 'BME', c4_bme_headcount, c4_known_headcount,
        {{ share_pct('c4_bme_headcount', 'c4_known_headcount') }},
        false
    from periods
)

select
    cast(s.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(r.measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(s.period_type as {{ dbt.type_string() }}) as period_type,
    cast(s.period_end as date) as period_end,
    cast(s.fy_end as date) as fy_end,
    cast(s.group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(s.group_value as {{ dbt.type_string() }}) as group_value,
    cast(s.numerator as bigint) as numerator,
    cast(s.denominator as bigint) as denominator,
    cast(s.value as double) as value,
    cast(r.value_unit as {{ dbt.type_string() }}) as value_unit,
    cast(r.higher_is_better as boolean) as higher_is_better,
    cast(s.is_immature as boolean) as is_immature
from series as s
inner join {{ ref('ref_measure') }} as r
    on r.measure_id = {{ dbt.concat(['s.measure_stem', "case when s.period_type = 'month' then '_monthly' else '_quarterly' end"]) }}
