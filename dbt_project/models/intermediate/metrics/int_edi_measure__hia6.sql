-- int_edi_measure__hia6: HIA6 incident rates (annual and monthly) and the relative likelihoods of
-- being affected by an incident, in the long measure shape (columns in fct_edi_measure order). An RL
-- with a zero cell publishes the corrected estimate its CI comes from (flag_zero_cell_corrected).
with rates as (
    select * from {{ ref('fct_hia6_incident_rate') }}
),

relative_likelihoods as (
    select * from {{ ref('fct_hia6_relative_likelihood') }}
),

long as (
    select
        organisation_code, period_type, period_end, fy_end, 'hia6_incidents_per_1000' as measure_id,
        breakdown_value, group_dimension, group_value,
        cast(null as {{ dbt.type_string() }}) as reference_group,
        incidents as numerator, headcount as denominator,
        cast(null as bigint) as reference_numerator, cast(null as bigint) as reference_denominator,
        incidents_per_1000 as value, incidents_per_1000 as value_uncorrected, 'per_1000' as value_unit,
        cast(null as double) as ci_lower, cast(null as double) as ci_upper,
        flag_small_count, incidents = 0 as flag_zero_cell, false as flag_zero_cell_corrected,
        cast(null as boolean) as flag_ci_spans_parity,
        flag_small_count or incidents = 0 as flag_volatile
    from rates
    union all
    select
        organisation_code, period_type, period_end, fy_end, 'hia6_staff_affected_per_1000',
        breakdown_value, group_dimension, group_value, null,
        staff_affected, headcount, null, null,
        staff_affected_per_1000, staff_affected_per_1000, 'per_1000', null, null,
        staff_affected between {{ var('sdc_suppress_min') }} and {{ var('sdc_suppress_max') }},
        staff_affected = 0,
        false,
        null,
        staff_affected between {{ var('sdc_suppress_min') }} and {{ var('sdc_suppress_max') }}
            or staff_affected = 0
    from rates
    union all
    select
        organisation_code, 'financial_year', fy_end, fy_end, measure_id,
        breakdown_value, group_dimension, numerator_group, denominator_group,
        numerator_events, numerator_base, denominator_events, denominator_base,
        {{ rl_published_value() }}, rl_value, 'ratio', ci_lower, ci_upper,
        flag_small_count, flag_zero_cell, {{ rl_zero_cell_corrected() }}, flag_ci_spans_parity, flag_volatile
    from relative_likelihoods
)

select
    {{ edi_measure_columns({
        'variant': "'default'",
        'breakdown_type': "'incident_type_perpetrator'",
        'flag_window_incomplete': "null"}) }}
from long
