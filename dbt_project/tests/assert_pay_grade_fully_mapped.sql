{{ config(meta={'dagster': {'ref': {'name': 'ref_pay_grade'}}}) }}
-- Every ESR payscale and Trac band maps in ref_pay_grade.
with raw_values as (
    select distinct payscale as raw_value from {{ ref('stg_esr__assignments') }} where payscale is not null
    union
    select distinct band from {{ ref('stg_trac__applications') }} where band is not null
)
select r.raw_value
from raw_values as r
left join {{ ref('ref_pay_grade') }} as m on r.raw_value = m.payscale_code
where m.payscale_code is null
