{{ config(meta={'dagster': {'ref': {'name': 'ref_sex_map'}}}) }}
-- Every sex/gender value in ESR, Trac and the Staff Survey sex breakdown maps in ref_sex_map.
with raw_values as (
    select distinct gender_code as raw_value from {{ ref('stg_esr__assignments') }} where gender_code is not null
    union
    select distinct sex_code from {{ ref('stg_trac__applications') }} where sex_code is not null
    union
    select distinct breakdown_group from {{ ref('stg_staff_survey__results') }} where breakdown = 'SEX'
)
select r.raw_value
from raw_values as r
left join {{ ref('ref_sex_map') }} as m on r.raw_value = m.sex_code
where m.sex_code is null
