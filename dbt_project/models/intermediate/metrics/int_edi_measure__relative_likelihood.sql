-- int_edi_measure__relative_likelihood: every row of fct_relative_likelihood in the common long shape
-- of fct_edi_measure (one row per RL; the window method is the variant).
select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast('financial_year' as {{ dbt.type_string() }}) as period_type,
    cast(fy_end as date) as period_end,
    cast(fy_end as date) as fy_end,
    cast(measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(window_method as {{ dbt.type_string() }}) as variant,
    cast('overall' as {{ dbt.type_string() }}) as breakdown_type,
    cast('all' as {{ dbt.type_string() }}) as breakdown_value,
    cast(group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(numerator_group as {{ dbt.type_string() }}) as group_value,
    cast(denominator_group as {{ dbt.type_string() }}) as reference_group,
    cast(numerator_events as bigint) as numerator,
    cast(numerator_base as bigint) as denominator,
    cast(denominator_events as bigint) as reference_numerator,
    cast(denominator_base as bigint) as reference_denominator,
    cast(rl_value as double) as value,
    cast('ratio' as {{ dbt.type_string() }}) as value_unit,
    cast(ci_lower as double) as ci_lower,
    cast(ci_upper as double) as ci_upper,
    cast(flag_small_count as boolean) as flag_small_count,
    cast(flag_zero_cell as boolean) as flag_zero_cell,
    cast(flag_ci_spans_parity as boolean) as flag_ci_spans_parity,
    cast(flag_volatile as boolean) as flag_volatile,
    cast(flag_window_incomplete as boolean) as flag_window_incomplete
from {{ ref('fct_relative_likelihood') }}
