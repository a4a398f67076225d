{{ config(meta={'dagster': {'ref': {'name': 'ref_age_band'}}}) }}
-- Every distinct age_band in stg_esr__assignments maps in ref_age_band (returns the unmapped values).
select distinct s.age_band as raw_value
from {{ ref('stg_esr__assignments') }} as s
left join {{ ref('ref_age_band') }} as m on s.age_band = m.age_band
where s.age_band is not null and m.age_band is null
