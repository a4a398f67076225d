{#- Incremental by organisation and month end, as fct_workforce_snapshot (macros/edi_fact_helpers.sql):
    an incremental run rebuilds the month-end headcounts of each organisation whose ESR deliveries changed, from the
    earliest changed date on, and every organisation's new month ends. -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'snapshot_date', ['esr_assignment'])) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- int_workforce_month_headcount: the WRES/WDES workforce counted at every month end, for the monthly
-- rates (HIA6, SPC): in total, by WRES ethnic group, disability and sex, and the BME and known-ethnicity
-- headcounts of cluster C4 (8c and above). Counted in one pass over the month-end snapshot into a small
-- cube, then rolled up, so no person-level copy of every month is kept (the annual measures read the
-- 31 March people in int_workforce_snapshot_classified).
with people as (
    select
        s.organisation_code,
        s.date_key as snapshot_date,
        d.fy_end,
        d.is_march_31_snapshot,
        coalesce(e.wres_group, 'Unknown') as wres_group,
        coalesce(di.disability_status, 'Unknown') as disability_status,
        coalesce(sx.sex, 'Unknown') as sex,
        coalesce(pg.cluster = 'C4', false) as is_cluster_c4
    from {{ ref('fct_workforce_snapshot') }} as s
    inner join {{ ref('dim_date') }} as d
        on s.date_key = d.date_key
    inner join {{ ref('dim_staff') }} as st
        on s.staff_version_key = st.staff_version_key
    left join {{ ref('dim_pay_grade') }} as pg
        on s.pay_grade_key = pg.pay_grade_key
    left join {{ ref('dim_ethnicity') }} as e
        on st.ethnicity_key = e.ethnicity_key
    left join {{ ref('dim_disability') }} as di
        on st.disability_key = di.disability_key
    left join {{ ref('dim_sex') }} as sx
        on st.sex_key = sx.sex_key
    where {{ wres_population_member('st') }}
    {%- if is_incremental() %}
        and (
            {{ edi_in_change_scope('s.organisation_code', 's.date_key', ['esr_assignment']) }}
            or s.date_key > (select max(snapshot_date) from {{ this }})
        )
    {%- endif %}
),

-- The snapshot holds a person once per month end, so a count of rows is a headcount.
cube as (
    select
        organisation_code, snapshot_date, fy_end, is_march_31_snapshot, wres_group, disability_status, sex,
        is_cluster_c4, count(*) as headcount
    from people
    group by organisation_code, snapshot_date, fy_end, is_march_31_snapshot, wres_group, disability_status, sex,
        is_cluster_c4
),

rolled_up as (
    select organisation_code, snapshot_date, fy_end, is_march_31_snapshot, 'all' as group_dimension,
        'all' as group_value, sum(headcount) as headcount
    from cube
    group by organisation_code, snapshot_date, fy_end, is_march_31_snapshot
    union all
    select organisation_code, snapshot_date, fy_end, is_march_31_snapshot, 'ethnicity', wres_group, sum(headcount)
    from cube
    group by organisation_code, snapshot_date, fy_end, is_march_31_snapshot, wres_group
    union all
    select organisation_code, snapshot_date, fy_end, is_march_31_snapshot, 'disability', disability_status,
        sum(headcount)
    from cube
    group by organisation_code, snapshot_date, fy_end, is_march_31_snapshot, disability_status
    union all
    select organisation_code, snapshot_date, fy_end, is_march_31_snapshot, 'sex', sex, sum(headcount)
    from cube
    group by organisation_code, snapshot_date, fy_end, is_march_31_snapshot, sex
    union all
    select organisation_code, snapshot_date, fy_end, is_march_31_snapshot, 'cluster_c4_ethnicity', wres_group,
        sum(headcount)
    from cube
    where is_cluster_c4
    group by organisation_code, snapshot_date, fy_end, is_march_31_snapshot, wres_group
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(snapshot_date as date) as snapshot_date,
    cast(fy_end as date) as fy_end,
    cast(is_march_31_snapshot as boolean) as is_march_31_snapshot,
    cast(group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(group_value as {{ dbt.type_string() }}) as group_value,
    cast(headcount as bigint) as headcount
from rolled_up
