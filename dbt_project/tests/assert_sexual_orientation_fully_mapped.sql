{{ config(meta={'dagster': {'ref': {'name': 'ref_sexual_orientation_map'}}}) }}
-- Every distinct sexual_orientation_code in stg_esr__assignments maps in ref_sexual_orientation_map (returns the unmapped values).
select distinct s.sexual_orientation_code as raw_value
from {{ ref('stg_esr__assignments') }} as s
left join {{ ref('ref_sexual_orientation_map') }} as m on s.sexual_orientation_code = m.sexual_orientation_code
where s.sexual_orientation_code is not null and m.sexual_orientation_code is null
