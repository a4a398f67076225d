{{ config(meta={'dagster': {'ref': {'name': 'ref_er_case_type'}}}) }}
-- Every distinct case_type_code in stg_er__cases maps in ref_er_case_type (returns the unmapped values).
select distinct s.case_type_code as raw_value
from {{ ref('stg_er__cases') }} as s
left join {{ ref('ref_er_case_type') }} as m on s.case_type_code = m.case_type_code
where s.case_type_code is not null and m.case_type_code is null
