{{ config(meta={'dagster': {'ref': {'name': 'fct_edi_measure'}}}) }}
-- A published value always lies within its confidence interval (metrics-spec §2): where a zero cell
-- forces the correction, value is the corrected estimate the CI is built from (flag_zero_cell_corrected)
-- and the raw ratio is value_uncorrected. Returns the rows whose value is missing or outside its CI.
select
    organisation_code, period_type, period_end, measure_id, variant, breakdown_type, breakdown_value,
    group_dimension, group_value, value, ci_lower, ci_upper
from {{ ref('fct_edi_measure') }}
where (ci_lower is not null or ci_upper is not null)
    and (value is null or value < ci_lower - 1e-9 or value > ci_upper + 1e-9)
