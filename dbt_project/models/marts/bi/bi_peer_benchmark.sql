{{ config(contract={'enforced': true}) }}

-- bi_peer_benchmark: fct_peer_benchmark for the BI extract - each trust's percentile among its peers,
-- region and England - for the measure rows bi_edi_measure publishes only, and without the exact
-- value: BI users read the value (and the peers' values, via bi_peer_set_member) from bi_edi_measure.
with published as (
    select organisation_code, period_end, measure_id, variant, breakdown_type, breakdown_value,
        group_dimension, group_value
    from {{ ref('bi_edi_measure') }}
    where period_type = 'financial_year' and value is not null and not is_suppressed
)

select
    cast(f.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(f.comparison_set as {{ dbt.type_string() }}) as comparison_set,
    cast(f.fy_end as date) as fy_end,
    cast(f.measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(f.variant as {{ dbt.type_string() }}) as variant,
    cast(f.breakdown_type as {{ dbt.type_string() }}) as breakdown_type,
    cast(f.breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
    cast(f.group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(f.group_value as {{ dbt.type_string() }}) as group_value,
    cast(f.set_size as bigint) as set_size,
    cast(f.less_favourable_members as bigint) as less_favourable_members,
    cast(f.percentile as double) as percentile
from {{ ref('fct_peer_benchmark') }} as f
inner join published as p
    on f.organisation_code = p.organisation_code
    and f.fy_end = p.period_end
    and f.measure_id = p.measure_id
    and f.variant = p.variant
    and f.breakdown_type = p.breakdown_type
    and f.breakdown_value = p.breakdown_value
    and f.group_dimension = p.group_dimension
    and f.group_value = p.group_value
