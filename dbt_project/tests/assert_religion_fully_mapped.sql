{{ config(meta={'dagster': {'ref': {'name': 'ref_religion_map'}}}) }}
-- Every distinct religious_belief_code in stg_esr__assignments maps in ref_religion_map (returns the unmapped values).
select distinct s.religious_belief_code as raw_value
from {{ ref('stg_esr__assignments') }} as s
left join {{ ref('ref_religion_map') }} as m on s.religious_belief_code = m.religion_code
where s.religious_belief_code is not null and m.religion_code is null
