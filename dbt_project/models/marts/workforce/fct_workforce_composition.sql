{{ config(contract={'enforced': true}) }}

-- fct_workforce_composition (WRES 1, WDES 1): who the workforce is at each 31 March, by cluster and by
-- clinical category x cluster. The 'all' breakdown row is the whole workforce and the 'all' group the
-- cluster total, so each (characteristic, breakdown_type) block is a complete table with margins - the
-- shape disclosure control needs to find every line.
with workforce as (
    select organisation_code, fy_end, staff_key, cluster, clinical_category, wres_group, disability_status
    from {{ ref('int_workforce_snapshot_classified') }}
    where is_march_31_snapshot and in_wres_population
),

by_characteristic as (
    select organisation_code, fy_end, staff_key, cluster, clinical_category,
        'ethnicity' as characteristic, wres_group as group_value
    from workforce
    union all
    select organisation_code, fy_end, staff_key, cluster, clinical_category,
        'disability' as characteristic, disability_status as group_value
    from workforce
),

by_breakdown as (
    select organisation_code, fy_end, staff_key, characteristic, group_value,
        'cluster' as breakdown_type, cluster as breakdown_value
    from by_characteristic
    union all
    select organisation_code, fy_end, staff_key, characteristic, group_value,
        'clinical_cluster' as breakdown_type,
        {{ dbt.concat(['clinical_category', "'|'", 'cluster']) }} as breakdown_value
    from by_characteristic
),

with_margins as (
    select organisation_code, fy_end, characteristic, breakdown_type, breakdown_value, group_value, staff_key
    from by_breakdown
    union all
    select organisation_code, fy_end, characteristic, breakdown_type, 'all', group_value, staff_key
    from by_breakdown
    union all
    select organisation_code, fy_end, characteristic, breakdown_type, breakdown_value, 'all', staff_key
    from by_breakdown
    union all
    select organisation_code, fy_end, characteristic, breakdown_type, 'all', 'all', staff_key
    from by_breakdown
),

counted as (
    select
        organisation_code, fy_end, characteristic, breakdown_type, breakdown_value, group_value,
        count(distinct staff_key) as headcount
    from with_margins
    group by organisation_code, fy_end, characteristic, breakdown_type, breakdown_value, group_value
),

with_totals as (
    select
        c.*,
        t.headcount as breakdown_headcount,
        t.headcount - coalesce(u.headcount, 0) as breakdown_known_headcount,
        w.headcount as workforce_headcount
    from counted as c
    inner join counted as t
        on c.organisation_code = t.organisation_code and c.fy_end = t.fy_end
        and c.characteristic = t.characteristic and c.breakdown_type = t.breakdown_type
        and c.breakdown_value = t.breakdown_value and t.group_value = 'all'
    inner join counted as w
        on c.organisation_code = w.organisation_code and c.fy_end = w.fy_end
        and c.characteristic = w.characteristic and c.breakdown_type = w.breakdown_type
        and w.breakdown_value = 'all' and w.group_value = 'all'
    left join counted as u
        on c.organisation_code = u.organisation_code and c.fy_end = u.fy_end
        and c.characteristic = u.characteristic and c.breakdown_type = u.breakdown_type
        and c.breakdown_value = u.breakdown_value and u.group_value = 'Unknown'
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(fy_end as date) as fy_end,
    cast(characteristic as {{ dbt.type_string() }}) as characteristic,
    cast(breakdown_type as {{ dbt.type_string() }}) as breakdown_type,
    cast(breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
    cast(group_value as {{ dbt.type_string() }}) as group_value,
    cast(headcount as bigint) as headcount,
    cast(breakdown_headcount as bigint) as breakdown_headcount,
    cast(breakdown_known_headcount as bigint) as breakdown_known_headcount,
    cast(workforce_headcount as bigint) as workforce_headcount,
    cast({{ share_pct('headcount', 'breakdown_headcount') }} as double) as share_of_breakdown_pct,
    cast(case when group_value not in ('Unknown', 'all')
        then {{ share_pct('headcount', 'breakdown_known_headcount') }} end as double) as share_of_known_pct,
    cast({{ share_pct('headcount', 'workforce_headcount') }} as double) as share_of_workforce_pct
from with_totals
