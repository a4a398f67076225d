{{ config(contract={'enforced': true}) }}

-- fct_declaration_rate: how complete the protected-characteristic data are, per trust and 31 March.
-- "not stated" = asked and declined (NHS code Z, "prefer not to say", "do not wish to disclose");
-- "missing" = nothing usable recorded (not known / not declared / blank / unmapped).
with workforce as (
    select w.organisation_code, w.fy_end, w.staff_key, st.ethnicity_key, st.disability_key,
        st.religion_key, st.sexual_orientation_key
    from {{ ref('int_workforce_snapshot_classified') }} as w
    inner join {{ ref('dim_staff') }} as st on w.staff_version_key = st.staff_version_key
    where w.is_march_31_snapshot and w.in_wres_population
),

statuses as (
    select w.organisation_code, w.fy_end, w.staff_key, 'ethnicity' as characteristic,
        case when e.is_known then 'known' when e.national_code = 'Z' then 'not_stated' else 'missing' end
            as declaration_status
    from workforce as w
    inner join {{ ref('dim_ethnicity') }} as e on w.ethnicity_key = e.ethnicity_key
    union all
    select w.organisation_code, w.fy_end, w.staff_key, 'disability',
        case when d.is_known then 'known'
            when d.disability_code in ('PREFER NOT TO ANSWER', 'NOT STATED',
                'I DO NOT WISH TO DISCLOSE WHETHER I HAVE A DISABILITY') then 'not_stated'
            else 'missing' end
    from workforce as w
    inner join {{ ref('dim_disability') }} as d on w.disability_key = d.disability_key
    union all
    select w.organisation_code, w.fy_end, w.staff_key, 'religion',
        case when r.is_known then 'known' when r.disclosure_status = 'declined' then 'not_stated' else 'missing' end
    from workforce as w
    inner join {{ ref('dim_religion') }} as r on w.religion_key = r.religion_key
    union all
    select w.organisation_code, w.fy_end, w.staff_key, 'sexual_orientation',
        case when so.is_known then 'known' when so.national_code = 'Z' then 'not_stated' else 'missing' end
    from workforce as w
    inner join {{ ref('dim_sexual_orientation') }} as so on w.sexual_orientation_key = so.sexual_orientation_key
),

status_list as (
    select 'known' as declaration_status
    union all select 'not_stated'
    union all select 'missing'
),

frame as (
    select distinct s.organisation_code, s.fy_end, s.characteristic, l.declaration_status
    from statuses as s
    cross join status_list as l
),

counted as (
    select f.organisation_code, f.fy_end, f.characteristic, f.declaration_status,
        -- a person has one status per characteristic, so matched rows are people
        count(s.staff_key) as headcount
    from frame as f
    left join statuses as s
        on f.organisation_code = s.organisation_code and f.fy_end = s.fy_end
        and f.characteristic = s.characteristic and f.declaration_status = s.declaration_status
    group by f.organisation_code, f.fy_end, f.characteristic, f.declaration_status
),

totals as (
    select organisation_code, fy_end, characteristic, sum(headcount) as workforce_headcount
    from counted
    group by organisation_code, fy_end, characteristic
)

select
    cast(c.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(c.fy_end as date) as fy_end,
    cast(c.characteristic as {{ dbt.type_string() }}) as characteristic,
    cast(c.declaration_status as {{ dbt.type_string() }}) as declaration_status,
    cast(c.headcount as bigint) as headcount,
    cast(t.workforce_headcount as bigint) as workforce_headcount,
    cast({{ share_pct("c.headcount", "t.workforce_headcount") }} as double) as share_pct
from counted as c
inner join totals as t
    on c.organisation_code = t.organisation_code and c.fy_end = t.fy_end and c.characteristic = t.characteristic
