{{ config(meta={'dagster': {'ref': {'name': 'ref_staff_group'}}}) }}
-- Every ESR and Trac staff group (incl. the truncated ESR variant) maps in ref_staff_group.
with raw_values as (
    select distinct staff_group as raw_value from {{ ref('stg_esr__assignments') }} where staff_group is not null
    union
    select distinct staff_group from {{ ref('stg_trac__applications') }} where staff_group is not null
)
select r.raw_value
from raw_values as r
left join {{ ref('ref_staff_group') }} as m on r.raw_value = m.staff_group_code
where m.staff_group_code is null
