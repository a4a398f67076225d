-- int_edi_measure__survey: the Staff Survey indicators (WRES 5-8, WDES 4a-9a, HIA6 6a/6b) in the long
-- measure shape (columns in fct_edi_measure order). Each group's value is a 'default' row; the
-- protected group's difference from its reference group (pp, score points for 9a) is a
-- 'gap_vs_reference' row. survey_disabled_share_pct is published by int_edi_measure__workforce
-- (from fct_disability_declaration), so it is left out here.
with indicators as (
    select * from {{ ref('fct_survey_indicator') }}
    where measure_id <> 'survey_disabled_share_pct'
),

long as (
    select
        organisation_code, fy_end, measure_id, 'default' as variant, group_dimension, group_value,
        cast(null as {{ dbt.type_string() }}) as reference_group,
        positive as numerator, respondents as denominator,
        cast(null as bigint) as reference_numerator, cast(null as bigint) as reference_denominator,
        value, value_unit, flag_small_base
    from indicators
    union all
    select
        organisation_code, fy_end, measure_id, 'gap_vs_reference', group_dimension, group_value,
        reference_group, positive, respondents, reference_positive, reference_respondents,
        difference_vs_reference,
        case when value_unit = 'percent' then 'pp' else value_unit end,
        flag_small_base or coalesce(reference_respondents < {{ var('sdc_min_respondents') }}, true)
    from indicators
    where reference_group is not null
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast('financial_year' as {{ dbt.type_string() }}) as period_type,
    cast(fy_end as date) as period_end,
    cast(fy_end as date) as fy_end,
    cast(measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(variant as {{ dbt.type_string() }}) as variant,
    cast('overall' as {{ dbt.type_string() }}) as breakdown_type,
    cast('all' as {{ dbt.type_string() }}) as breakdown_value,
    cast(group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(group_value as {{ dbt.type_string() }}) as group_value,
    cast(reference_group as {{ dbt.type_string() }}) as reference_group,
    cast(numerator as bigint) as numerator,
    cast(denominator as bigint) as denominator,
    cast(reference_numerator as bigint) as reference_numerator,
    cast(reference_denominator as bigint) as reference_denominator,
    cast(value as double) as value,
    cast(value_unit as {{ dbt.type_string() }}) as value_unit,
    cast(null as double) as ci_lower,
    cast(null as double) as ci_upper,
    -- survey counts are small when the base is under the survey disclosure threshold (spec §10)
    cast(flag_small_base as boolean) as flag_small_count,
    cast(null as boolean) as flag_zero_cell,
    cast(null as boolean) as flag_ci_spans_parity,
    cast(flag_small_base as boolean) as flag_volatile,
    cast(null as boolean) as flag_window_incomplete
from long
