{{ config(meta={'dagster': {'ref': {'name': 'ref_incident_type'}}}) }}
-- Every Datix type/category/subcategory combination in staging maps in ref_incident_type.
with combos as (
    select distinct incident_type_code, category_code, subcategory_code
    from {{ ref('stg_datix__incident_staff') }}
)
select c.incident_type_code, c.category_code, c.subcategory_code
from combos as c
left join {{ ref('ref_incident_type') }} as m
    on c.incident_type_code = m.incident_type_code
    and c.category_code = m.category_code
    and c.subcategory_code = m.subcategory_code
where m.incident_type_key is null
