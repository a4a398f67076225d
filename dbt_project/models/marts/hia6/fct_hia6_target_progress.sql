{{ config(contract={'enforced': true}) }}

-- HIA6 progress against the trust-set targets of ref_measure_target (spec §7): the baseline (computed
-- when the trust left it blank), the target (derived from a reduction percentage when no value is
-- given) and the latest annual value, judged against the straight line from baseline to target.
with targets as (
    select t.*
    from {{ ref('ref_measure_target') }} as t
    inner join {{ ref('ref_measure') }} as m
        on t.measure_id = m.measure_id
    where m.standard = 'HIA6'
),

measures as (
    select measure_id, higher_is_better from {{ ref('ref_measure') }}
),

annual_values as (
    select
        organisation_code, fy_end, measure_id, variant, breakdown_type, breakdown_value,
        group_dimension, group_value, value
    from {{ ref('int_edi_measure__hia6') }}
    where period_type = 'financial_year'
    union all
    select
        organisation_code, fy_end, measure_id, variant, breakdown_type, breakdown_value,
        group_dimension, group_value, value
    from {{ ref('int_edi_measure__survey') }}
),

target_values as (
    select
        t.organisation_code, t.measure_id, t.variant, t.breakdown_type, t.breakdown_value,
        t.group_dimension, t.group_value, v.fy_end, v.value
    from targets as t
    inner join annual_values as v
        on t.organisation_code = v.organisation_code
        and t.measure_id = v.measure_id
        and t.variant = v.variant
        and t.breakdown_type = v.breakdown_type
        and t.breakdown_value = v.breakdown_value
        and t.group_dimension = v.group_dimension
        and t.group_value = v.group_value
    where v.value is not null
),

latest as (
    select
        organisation_code, measure_id, variant, breakdown_type, breakdown_value, group_dimension,
        group_value, fy_end as latest_fy_end, value as latest_value,
        row_number() over (
            partition by organisation_code, measure_id, variant, breakdown_type, breakdown_value,
                group_dimension, group_value
            order by fy_end desc nulls last  -- one value per target and year: fy_end is unique here
        ) as recency
    from target_values
),

resolved as (
    select
        t.*,
        t.baseline_value is null as baseline_is_computed,
        coalesce(t.baseline_value, b.value) as baseline,
        l.latest_fy_end,
        l.latest_value,
        m.higher_is_better
    from targets as t
    inner join measures as m
        on t.measure_id = m.measure_id
    left join target_values as b
        on t.organisation_code = b.organisation_code
        and t.measure_id = b.measure_id
        and t.variant = b.variant
        and t.breakdown_type = b.breakdown_type
        and t.breakdown_value = b.breakdown_value
        and t.group_dimension = b.group_dimension
        and t.group_value = b.group_value
        and t.baseline_fy_end = b.fy_end
    left join latest as l
        on t.organisation_code = l.organisation_code
        and t.measure_id = l.measure_id
        and t.variant = l.variant
        and t.breakdown_type = l.breakdown_type
        and t.breakdown_value = l.breakdown_value
        and t.group_dimension = l.group_dimension
        and t.group_value = l.group_value
        and l.recency = 1
),

targeted as (
    select
        resolved.*,
        coalesce(target_value, {{ target_from_reduction('baseline', 'target_reduction_pct') }}) as target,
        -- share of the baseline-to-target period elapsed at the latest value, clamped to [0, 1]
        least(greatest(
            cast({{ dbt.datediff('baseline_fy_end', 'latest_fy_end', 'month') }} as double)
                / nullif(cast({{ dbt.datediff('baseline_fy_end', 'target_fy_end', 'month') }} as double), 0),
            0.0), 1.0) as elapsed_share
    from resolved
),

judged as (
    select
        targeted.*,
        baseline + (target - baseline) * elapsed_share as trajectory_value
    from targeted
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(variant as {{ dbt.type_string() }}) as variant,
    cast(breakdown_type as {{ dbt.type_string() }}) as breakdown_type,
    cast(breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
    cast(group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(group_value as {{ dbt.type_string() }}) as group_value,
    cast(baseline_fy_end as date) as baseline_fy_end,
    cast(baseline as double) as baseline_value,
    cast(baseline_is_computed as boolean) as baseline_is_computed,
    cast(target_fy_end as date) as target_fy_end,
    cast(target as double) as target_value,
    cast(target_reduction_pct as double) as target_reduction_pct,
    cast(target_value is null and target is not null as boolean) as target_is_derived,
    cast(latest_fy_end as date) as latest_fy_end,
    cast(latest_value as double) as latest_value,
    cast(trajectory_value as double) as trajectory_value,
    cast(higher_is_better as boolean) as higher_is_better,
    cast(
        case
            when higher_is_better then latest_value >= trajectory_value
            else latest_value <= trajectory_value
        end as boolean
    ) as on_track,
    cast(
        case
            when higher_is_better then latest_value >= target
            else latest_value <= target
        end as boolean
    ) as target_met,
    cast(approved_by as {{ dbt.type_string() }}) as approved_by,
    cast(approved_date as date) as approved_date
from judged
