-- Spec §5: 0 <= positive <= respondents on every survey indicator row.
select organisation_code, fy_end, measure_id, group_dimension, group_value, respondents, positive
from {{ ref('fct_survey_indicator') }}
where positive < 0
    or respondents < 0
    or positive > respondents
