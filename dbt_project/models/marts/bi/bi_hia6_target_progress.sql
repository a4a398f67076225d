{{ config(contract={'enforced': true}) }}

-- bi_hia6_target_progress: the trusts' HIA6 targets and where they stand, for BI and the board report.
-- Values are bi_edi_measure's published ones (from rounded counts, null where withheld), never
-- fct_hia6_target_progress's exact ones: a target derived as baseline x (1 - pct/100) is derived here
-- again from the published baseline, since the exact one would give the exact baseline back.
with targets as (
    select * from {{ ref('fct_hia6_target_progress') }}
),

published as (
    select organisation_code, fy_end, measure_id, variant, breakdown_type, breakdown_value, group_dimension,
        group_value, value
    from {{ ref('bi_edi_measure') }}
    where period_type = 'financial_year'
)

select
    cast(t.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(t.measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(t.variant as {{ dbt.type_string() }}) as variant,
    cast(t.breakdown_type as {{ dbt.type_string() }}) as breakdown_type,
    cast(t.breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
    cast(t.group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(t.group_value as {{ dbt.type_string() }}) as group_value,
    cast(t.baseline_fy_end as date) as baseline_fy_end,
    cast(b.value as double) as baseline_value,
    cast(t.target_fy_end as date) as target_fy_end,
    cast(case
        when t.target_is_derived then b.value * (1 - t.target_reduction_pct / 100.0)
        else t.target_value
    end as double) as target_value,
    cast(t.target_reduction_pct as double) as target_reduction_pct,
    cast(t.latest_fy_end as date) as latest_fy_end,
    cast(l.value as double) as latest_value,
    cast(case when b.value is not null and l.value is not null then t.on_track end as boolean) as on_track,
    cast(case when l.value is not null then t.target_met end as boolean) as target_met,
    cast(t.approved_by as {{ dbt.type_string() }}) as approved_by,
    cast(t.approved_date as date) as approved_date
from targets as t
left join published as b
    on t.organisation_code = b.organisation_code and t.baseline_fy_end = b.fy_end
    and t.measure_id = b.measure_id and t.variant = b.variant and t.breakdown_type = b.breakdown_type
    and t.breakdown_value = b.breakdown_value and t.group_dimension = b.group_dimension
    and t.group_value = b.group_value
left join published as l
    on t.organisation_code = l.organisation_code and t.latest_fy_end = l.fy_end
    and t.measure_id = l.measure_id and t.variant = l.variant and t.breakdown_type = l.breakdown_type
    and t.breakdown_value = l.breakdown_value and t.group_dimension = l.group_dimension
    and t.group_value = l.group_value
