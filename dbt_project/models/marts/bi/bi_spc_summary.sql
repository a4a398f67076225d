{{ config(contract={'enforced': true}) }}

-- bi_spc_summary: fct_spc_summary (one line per chart) for the BI extract. The latest value is the
-- latest point's bi_spc_chart value (disclosure-controlled), and the chart's group comes with it, so
-- a row joins its chart in bi_spc_chart on organisation_code, measure_id and group_value.
-- Centre and limits are the latest point's in bi_spc_chart: null when its segment has a withheld value.
-- Point tallies are named points_*: they count periods, not people, and are not disclosure counts.
select
    cast(s.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(s.measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(c.measure_label as {{ dbt.type_string() }}) as measure_label,
    cast(s.period_type as {{ dbt.type_string() }}) as period_type,
    cast(c.group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(c.group_value as {{ dbt.type_string() }}) as group_value,
    cast(c.value_unit as {{ dbt.type_string() }}) as value_unit,
    cast(s.point_count as int) as points_plotted,
    cast(s.immature_point_count as int) as points_immature,
    cast(s.latest_period_end as date) as latest_period_end,
    cast(c.value as double) as latest_value,
    cast(s.segment as int) as segment,
    cast(c.centre as double) as centre,
    cast(c.upl as double) as upl,
    cast(c.lpl as double) as lpl,
    cast(c.upper_2sigma as double) as upper_2sigma,
    cast(c.lower_2sigma as double) as lower_2sigma,
    cast(s.limits_status as {{ dbt.type_string() }}) as limits_status,
    cast(s.special_cause_rule as {{ dbt.type_string() }}) as special_cause_rule,
    cast(s.variation as {{ dbt.type_string() }}) as variation,
    cast(s.variation_icon as {{ dbt.type_string() }}) as variation_icon,
    cast(s.higher_is_better as boolean) as higher_is_better,
    cast(s.target_value as double) as target_value,
    cast(s.target_fy_end as date) as target_fy_end,
    cast(s.assurance as {{ dbt.type_string() }}) as assurance,
    cast(c.limits_withheld as boolean) as limits_withheld
from {{ ref('fct_spc_summary') }} as s
inner join {{ ref('bi_spc_chart') }} as c
    on s.organisation_code = c.organisation_code
    and s.measure_id = c.measure_id
    and s.latest_period_end = c.period_end
