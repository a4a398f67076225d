-- int_edi_measure__spc: the SPC series (metrics-spec §9) in the common long measure shape; one row per
-- charted point (periods with a null value are not charted and not listed).
select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(period_type as {{ dbt.type_string() }}) as period_type,
    cast(period_end as date) as period_end,
    cast(fy_end as date) as fy_end,
    cast(measure_id as {{ dbt.type_string() }}) as measure_id,
    cast('default' as {{ dbt.type_string() }}) as variant,
    cast('overall' as {{ dbt.type_string() }}) as breakdown_type,
    cast('all' as {{ dbt.type_string() }}) as breakdown_value,
    cast(group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(group_value as {{ dbt.type_string() }}) as group_value,
    cast(null as {{ dbt.type_string() }}) as reference_group,
    cast(numerator as bigint) as numerator,
    cast(denominator as bigint) as denominator,
    cast(null as bigint) as reference_numerator,
    cast(null as bigint) as reference_denominator,
    cast(value as double) as value,
    cast(value_unit as {{ dbt.type_string() }}) as value_unit,
    cast(null as double) as ci_lower,
    cast(null as double) as ci_upper,
    cast(null as boolean) as flag_small_count,
    cast(null as boolean) as flag_zero_cell,
    cast(null as boolean) as flag_ci_spans_parity,
    cast(null as boolean) as flag_volatile,
    cast(null as boolean) as flag_window_incomplete
from {{ ref('int_spc_series') }}
where value is not null
