-- int_edi_measure__relative_likelihood: every row of fct_relative_likelihood in the common long shape
-- of fct_edi_measure (one row per RL; the window method is the variant). Where a zero cell forced the
-- correction, value is the corrected estimate the CI comes from (flag_zero_cell_corrected) and
-- value_uncorrected the raw ratio.
select
    {{ edi_measure_columns({
        'period_type': "'financial_year'",
        'period_end': "fy_end",
        'variant': "window_method",
        'breakdown_type': "'overall'",
        'breakdown_value': "'all'",
        'group_value': "numerator_group",
        'reference_group': "denominator_group",
        'numerator': "numerator_events",
        'denominator': "numerator_base",
        'reference_numerator': "denominator_events",
        'reference_denominator': "denominator_base",
        'value': rl_published_value(),
        'value_uncorrected': "rl_value",
        'flag_zero_cell_corrected': rl_zero_cell_corrected(),
        'value_unit': "'ratio'",
        'flag_window_incomplete': "flag_window_incomplete or flag_immature_cohorts_excluded"}) }}
from {{ ref('fct_relative_likelihood') }}
