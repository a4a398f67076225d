{{ config(meta={'dagster': {'ref': {'name': 'fct_edi_measure'}}}) }}
-- A share, a declaration rate or a survey percentage is a part of a whole: 0-100 %, never more
-- (the unknown-ethnicity rate once read 286,699 % from a share of an unparenthesised expression).
select organisation_code, fy_end, measure_id, variant, breakdown_value, group_dimension, group_value, value
from {{ ref('fct_edi_measure') }}
where value_unit = 'percent'
  and measure_kind in ('share', 'survey_pct')
  and (value < 0 or value > 100)
