{{ config(materialized='table') }}

-- int_spc_yearly_series: the yearly series of differential attainment (standard DA) long enough to chart.
-- metrics-spec §9 charts monthly and quarterly series and calls yearly WRES/WDES values too few points;
-- issue #13 asks for SPC of the DA series "where enough years exist". A series (trust x measure x
-- breakdown x group) is charted when it has values in at least var spc_yearly_min_points financial
-- years; shorter series stay estimates with CIs in fct_edi_measure. RLs have no higher_is_better in the
-- catalogue: their adverse side decides (above 1 is the unfavourable side, so higher is worse).
with measures as (
    select
        m.organisation_code,
        m.measure_id,
        m.variant,
        m.breakdown_type,
        m.breakdown_value,
        m.group_dimension,
        m.group_value,
        m.reference_group,
        m.fy_end,
        m.numerator,
        m.denominator,
        m.value,
        m.value_unit,
        coalesce(r.higher_is_better, case r.adverse_side when 'above_1' then false
                                                         when 'below_1' then true end) as higher_is_better
    from {{ ref('int_edi_measure__differential_attainment') }} as m
    inner join {{ ref('ref_measure') }} as r
        on m.measure_id = r.measure_id
    where m.value is not null
),

counted as (
    select
        *,
        count(*) over (partition by organisation_code, measure_id, variant, breakdown_type, breakdown_value,
                                    group_dimension, group_value) as series_years
    from measures
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(variant as {{ dbt.type_string() }}) as variant,
    cast(breakdown_type as {{ dbt.type_string() }}) as breakdown_type,
    cast(breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
    cast(group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(group_value as {{ dbt.type_string() }}) as group_value,
    cast(reference_group as {{ dbt.type_string() }}) as reference_group,
    cast(fy_end as date) as fy_end,
    cast(numerator as bigint) as numerator,
    cast(denominator as bigint) as denominator,
    cast(value as double) as value,
    cast(value_unit as {{ dbt.type_string() }}) as value_unit,
    cast(higher_is_better as boolean) as higher_is_better,
    cast(series_years as int) as series_years
from counted
where series_years >= {{ var('spc_yearly_min_points') }}
