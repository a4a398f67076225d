{{ config(contract={'enforced': true}) }}

-- bi_spc_chart: every plotted point of fct_spc_point with its limits and classes, for a chart that
-- agrees with the warehouse point for point. The plotted value is bi_spc's (disclosure-controlled:
-- null where withheld), never fct_spc_point's exact one; one bi_spc row per point (both are the
-- charted rows of int_spc_series; tests/assert_bi_spc_chart_matches_every_spc_point.sql checks it).
-- The centre and limits come from the exact values: centre x points - the published values would
-- give the sum of a segment's withheld values (one withheld month would be pinned to its count). So a
-- segment with a withheld value publishes no centre or limits (limits_withheld); its classes stay.
with points as (
    select
        p.*,
        min(p.period_end) over (partition by p.organisation_code, p.measure_id, p.segment) as segment_start
    from {{ ref('fct_spc_point') }} as p
),

published as (
    select organisation_code, measure_id, period_type, period_end, group_dimension, group_value, value
    from {{ ref('bi_spc') }}
    where variant = 'default' and breakdown_type = 'overall' and breakdown_value = 'all'
),

charted as (
    select
        p.*,
        b.value as published_value,
        max(case when b.value is null then 1 else 0 end) over (
            partition by p.organisation_code, p.measure_id, p.group_value, p.segment) as has_withheld
    from points as p
    left join published as b
        on p.organisation_code = b.organisation_code
        and p.measure_id = b.measure_id
        and p.period_type = b.period_type
        and p.period_end = b.period_end
        and p.group_dimension = b.group_dimension
        and p.group_value = b.group_value
)

select
    cast(p.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(p.measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(m.bi_label as {{ dbt.type_string() }}) as measure_label,
    cast(p.period_type as {{ dbt.type_string() }}) as period_type,
    cast(p.period_end as date) as period_end,
    cast(p.fy_end as date) as fy_end,
    cast(p.group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(p.group_value as {{ dbt.type_string() }}) as group_value,
    cast(p.published_value as double) as value,
    cast(p.value_unit as {{ dbt.type_string() }}) as value_unit,
    cast(p.higher_is_better as boolean) as higher_is_better,
    cast(p.segment as int) as segment,
    cast(p.segment > 1 and p.period_end = p.segment_start as boolean) as is_rebase_start,
    cast(p.point_seq as int) as point_seq,
    {{ spc_published_limits('p') }},
    cast(p.limits_status as {{ dbt.type_string() }}) as limits_status,
    cast(p.special_cause_rule as {{ dbt.type_string() }}) as special_cause_rule,
    cast(p.special_cause_direction as int) as special_cause_direction,
    cast(p.variation as {{ dbt.type_string() }}) as variation,
    cast(p.is_immature as boolean) as is_immature,
    cast(p.has_withheld = 1 as boolean) as limits_withheld
from charted as p
left join {{ ref('ref_measure') }} as m
    on p.measure_id = m.measure_id
