{{ config(meta={'dagster': {'ref': {'name': 'ref_disability_map'}}}) }}
-- Every disability value in ESR, Trac and the Staff Survey disability breakdown maps in ref_disability_map.
with raw_values as (
    select distinct disability_code as raw_value from {{ ref('stg_esr__assignments') }} where disability_code is not null
    union
    select distinct disability_code from {{ ref('stg_trac__applications') }} where disability_code is not null
    union
    select distinct breakdown_group from {{ ref('stg_staff_survey__results') }} where breakdown = 'DISABILITY'
)
select r.raw_value
from raw_values as r
left join {{ ref('ref_disability_map') }} as m on r.raw_value = m.disability_code
where m.disability_code is null
