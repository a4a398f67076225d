-- int_edi_measure__spc: the SPC series (metrics-spec §9) in the common long measure shape; one row per
-- charted point (periods with a null value are not charted and not listed). An immature appointment-rate
-- cohort is flagged flag_window_incomplete.
select
    {{ edi_measure_columns({
        'variant': "'default'",
        'breakdown_type': "'overall'",
        'breakdown_value': "'all'",
        'reference_group': "null",
        'reference_numerator': "null",
        'reference_denominator': "null",
        'value_uncorrected': "value",
        'flag_zero_cell_corrected': "false",
        'ci_lower': "null",
        'ci_upper': "null",
        'flag_small_count': "null",
        'flag_zero_cell': "null",
        'flag_ci_spans_parity': "null",
        'flag_volatile': "null",
        'flag_window_incomplete': "is_immature"}) }}
from {{ ref('int_spc_series') }}
where value is not null
