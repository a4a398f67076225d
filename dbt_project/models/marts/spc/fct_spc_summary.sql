-- fct_spc_summary: one line per chart (metrics-spec §9): the latest point, its variation icon and
-- limits, and assurance of the trust's target against those limits. Immature points never drive the
-- icon: the latest assessed point does (an immature one only when the chart has nothing else).
with points as (
    select
        *,
        row_number() over (partition by organisation_code, measure_id
                           order by case when is_immature then 1 else 0 end asc nulls last,
                                    period_end desc nulls last) as recency,
        count(*) over (partition by organisation_code, measure_id) as point_count,
        sum(case when is_immature then 1 else 0 end)
            over (partition by organisation_code, measure_id) as immature_point_count
    from {{ ref('fct_spc_point') }}
),

latest as (
    select * from points where recency = 1
),

targets as (
    -- A target given only as a reduction needs an explicit baseline here.
    select
        organisation_code,
        measure_id,
        group_dimension,
        group_value,
        target_fy_end,
        coalesce(target_value, baseline_value * (1 - target_reduction_pct / 100.0)) as target_value
    from {{ ref('ref_measure_target') }}
    where variant = 'default'
        and breakdown_type = 'overall'
        and breakdown_value = 'all'
)

select
    cast(l.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(l.measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(l.period_type as {{ dbt.type_string() }}) as period_type,
    cast(l.point_count as int) as point_count,
    cast(l.immature_point_count as int) as immature_point_count,
    cast(l.period_end as date) as latest_period_end,
    cast(l.value as double) as latest_value,
    cast(l.segment as int) as segment,
    cast(l.centre as double) as centre,
    cast(l.upl as double) as upl,
    cast(l.lpl as double) as lpl,
    cast(l.upper_2sigma as double) as upper_2sigma,
    cast(l.lower_2sigma as double) as lower_2sigma,
    cast(l.limits_status as {{ dbt.type_string() }}) as limits_status,
    cast(l.screen_outliers as boolean) as screen_outliers,
    cast(l.special_cause_rule as {{ dbt.type_string() }}) as special_cause_rule,
    cast(l.variation as {{ dbt.type_string() }}) as variation,
    cast(case
        when l.variation in ('common_cause', 'not_assessed') then l.variation
        when l.special_cause_direction = 1 then {{ dbt.concat(['l.variation', "'_high'"]) }}
        else {{ dbt.concat(['l.variation', "'_low'"]) }}
    end as {{ dbt.type_string() }}) as variation_icon,
    cast(l.higher_is_better as boolean) as higher_is_better,
    cast(t.target_value as double) as target_value,
    cast(t.target_fy_end as date) as target_fy_end,
    cast({{ spc_assurance('t.target_value', 'l.upl', 'l.lpl', 'l.higher_is_better') }}
        as {{ dbt.type_string() }}) as assurance
from latest as l
left join targets as t
    on l.organisation_code = t.organisation_code
    and l.measure_id = t.measure_id
    and l.group_dimension = t.group_dimension
    and l.group_value = t.group_value
