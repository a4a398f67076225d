{{ config(contract={'enforced': true}) }}

-- HIA6 incident rates (spec §7a): abuse of staff (violence, verbal abuse, bullying, harassment,
-- discrimination) per 1,000 headcount, by protected group, conformed incident type and perpetrator,
-- for each financial year (31 March headcount) and month (month-end headcount). Numerator and
-- denominator cover the same people, the WRES/WDES population (as the relative likelihoods of WRES 3-4
-- do): an incident counts in a group when the staff version in force at the incident is in that
-- population, and in the group recorded on that version. Incidents to identified people outside it
-- (bank-only workers, no contracted FTE, non-executive directors) are kept in an 'outside_population'
-- group and incidents matched to no staff version in an 'unmatched' group of every dimension, neither
-- with a headcount, so the groups of a dimension always add up to the incidents reported.
with incidents as (
    select
        i.organisation_code,
        i.incident_fy_end,
        i.incident_month,
        i.staff_key,
        i.staff_version_key,
        i.conformed_incident_type,
        i.perpetrator_category
    from {{ ref('fct_staff_incident') }} as i
    inner join {{ ref('dim_incident_type') }} as t
        on i.incident_type_key = t.incident_type_key
    where t.is_abuse_of_staff
        and not i.is_rejected
),

incident_groups as (
    select
        i.*,
        case
            when i.staff_version_key is null then 'unmatched'
            when not {{ wres_population_member('st') }} then 'outside_population'
        end as uncounted_group,
        e.wres_group,
        d.disability_status,
        s.sex
    from incidents as i
    left join {{ ref('dim_staff') }} as st
        on i.staff_version_key = st.staff_version_key
    left join {{ ref('dim_ethnicity') }} as e
        on st.ethnicity_key = e.ethnicity_key
    left join {{ ref('dim_disability') }} as d
        on st.disability_key = d.disability_key
    left join {{ ref('dim_sex') }} as s
        on st.sex_key = s.sex_key
),

-- Each incident-person row once per group dimension it is counted in.
incident_dimensions as (
    select
        organisation_code, incident_fy_end, incident_month, staff_key, conformed_incident_type,
        perpetrator_category, 'ethnicity' as group_dimension,
        coalesce(uncounted_group, wres_group, 'Unknown') as group_value
    from incident_groups
    union all
    select
        organisation_code, incident_fy_end, incident_month, staff_key, conformed_incident_type,
        perpetrator_category, 'disability',
        coalesce(uncounted_group, disability_status, 'Unknown')
    from incident_groups
    union all
    select
        organisation_code, incident_fy_end, incident_month, staff_key, conformed_incident_type,
        perpetrator_category, 'sex',
        coalesce(uncounted_group, sex, 'Unknown')
    from incident_groups
    union all
    select
        organisation_code, incident_fy_end, incident_month, staff_key, conformed_incident_type,
        perpetrator_category, 'all', coalesce(uncounted_group, 'all')
    from incident_groups
),

incident_periods as (
    select
        organisation_code, 'financial_year' as period_type, incident_fy_end as period_end,
        incident_fy_end as fy_end, group_dimension, group_value, staff_key, conformed_incident_type,
        perpetrator_category
    from incident_dimensions
    union all
    select
        organisation_code, 'month', cast({{ dbt.last_day('incident_month', 'month') }} as date),
        incident_fy_end, group_dimension, group_value, staff_key, conformed_incident_type,
        perpetrator_category
    from incident_dimensions
),

-- Each incident counts under its own type and perpetrator and under the 'all' roll-ups of either.
incident_categories as (
    select
        organisation_code, period_type, period_end, fy_end, group_dimension, group_value, staff_key,
        conformed_incident_type as incident_type, perpetrator_category as perpetrator
    from incident_periods
    union all
    select
        organisation_code, period_type, period_end, fy_end, group_dimension, group_value, staff_key,
        conformed_incident_type, 'all'
    from incident_periods
    union all
    select
        organisation_code, period_type, period_end, fy_end, group_dimension, group_value, staff_key,
        'all', perpetrator_category
    from incident_periods
    union all
    select
        organisation_code, period_type, period_end, fy_end, group_dimension, group_value, staff_key,
        'all', 'all'
    from incident_periods
),

incident_counts as (
    select
        organisation_code, period_type, period_end, fy_end, group_dimension, group_value,
        incident_type, perpetrator,
        count(*) as incidents,
        count(distinct staff_key) as staff_affected
    from incident_categories
    group by
        organisation_code, period_type, period_end, fy_end, group_dimension, group_value,
        incident_type, perpetrator
),

-- WRES/WDES population (bank-only, zero-FTE and non-executive records excluded) at every month end.
monthly_headcount as (
    select organisation_code, snapshot_date, fy_end, is_march_31_snapshot, group_dimension, group_value, headcount
    from {{ ref('int_workforce_month_headcount') }}
    where group_dimension in ('all', 'ethnicity', 'disability', 'sex')
),

headcount as (
    select
        organisation_code, 'financial_year' as period_type, fy_end as period_end, fy_end,
        group_dimension, group_value, headcount
    from monthly_headcount
    where is_march_31_snapshot
    union all
    select
        organisation_code, 'month', snapshot_date, fy_end, group_dimension, group_value, headcount
    from monthly_headcount
),

-- Every type x perpetrator the incident map holds, with their roll-ups, so zero counts are rows.
categories as (
    select distinct conformed_incident_type as incident_type, perpetrator_category as perpetrator
    from {{ ref('dim_incident_type') }}
    where is_abuse_of_staff
    union
    select distinct conformed_incident_type, 'all'
    from {{ ref('dim_incident_type') }}
    where is_abuse_of_staff
    union
    select distinct 'all', perpetrator_category
    from {{ ref('dim_incident_type') }}
    where is_abuse_of_staff
    union
    select 'all', 'all'
),

period_groups as (
    select organisation_code, period_type, period_end, fy_end, group_dimension, group_value
    from headcount
    union
    select organisation_code, period_type, period_end, fy_end, group_dimension, group_value
    from incident_counts
),

rates as (
    select
        g.organisation_code,
        g.period_type,
        g.period_end,
        g.fy_end,
        g.group_dimension,
        g.group_value,
        c.incident_type,
        c.perpetrator,
        coalesce(n.incidents, 0) as incidents,
        -- unmatched incident reports name nobody the warehouse can count
        case when g.group_value <> 'unmatched' then coalesce(n.staff_affected, 0) end as staff_affected,
        h.headcount
    from period_groups as g
    cross join categories as c
    left join incident_counts as n
        on g.organisation_code = n.organisation_code
        and g.period_type = n.period_type
        and g.period_end = n.period_end
        and g.group_dimension = n.group_dimension
        and g.group_value = n.group_value
        and c.incident_type = n.incident_type
        and c.perpetrator = n.perpetrator
    left join headcount as h
        on g.organisation_code = h.organisation_code
        and g.period_type = h.period_type
        and g.period_end = h.period_end
        and g.group_dimension = h.group_dimension
        and g.group_value = h.group_value
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(period_type as {{ dbt.type_string() }}) as period_type,
    cast(period_end as date) as period_end,
    cast(fy_end as date) as fy_end,
    cast(group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(group_value as {{ dbt.type_string() }}) as group_value,
    cast(incident_type as {{ dbt.type_string() }}) as incident_type,
    cast(perpetrator as {{ dbt.type_string() }}) as perpetrator,
    cast({{ dbt.concat(['incident_type', "'|'", 'perpetrator']) }} as {{ dbt.type_string() }}) as breakdown_value,
    cast(incidents as bigint) as incidents,
    cast(staff_affected as bigint) as staff_affected,
    cast(headcount as bigint) as headcount,
    cast({{ rate_per_1000('incidents', 'headcount') }} as double) as incidents_per_1000,
    cast({{ rate_per_1000('staff_affected', 'headcount') }} as double) as staff_affected_per_1000,
    cast(
        incidents between {{ var('sdc_suppress_min') }} and {{ var('sdc_suppress_max') }} as boolean
    ) as flag_small_count
from rates
