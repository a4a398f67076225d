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
    {{ edi_measure_columns({
        'period_type': "'financial_year'",
        'period_end': "fy_end",
        'breakdown_type': "'overall'",
        'breakdown_value': "'all'",
        'value_uncorrected': "value",
        'flag_zero_cell_corrected': "false",
        'ci_lower': "null",
        'ci_upper': "null",
        'flag_small_count': "flag_small_base",
        'flag_zero_cell': "null",
        'flag_ci_spans_parity': "null",
        'flag_volatile': "flag_small_base",
        'flag_window_incomplete': "null"}) }}
from long
