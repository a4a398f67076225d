{{ config(meta={'dagster': {'ref': {'name': 'ref_ethnicity_map'}}}) }}
-- Every ethnicity value in staging resolves: ESR codes (incl. sub-codes) in ref_ethnicity_map, ESR label
-- forms, Trac labels and Staff Survey ethnicity groups in ref_ethnicity_label_map. Returns the unmapped values.
with esr_codes as (
    select distinct ethnic_category_code as raw_value, 'esr_code' as source_column
    from {{ ref('stg_esr__assignments') }}
    where ethnic_category_code is not null
),
esr_labels as (
    select distinct upper(ethnic_origin) as raw_value, 'esr_label' as source_column
    from {{ ref('stg_esr__assignments') }}
    where ethnic_origin is not null and ethnic_category_code is null
),
trac_labels as (
    select distinct upper(ethnicity) as raw_value, 'trac_label' as source_column
    from {{ ref('stg_trac__applications') }}
    where ethnicity is not null
),
survey_groups as (
    select distinct breakdown_group as raw_value, 'survey_group' as source_column
    from {{ ref('stg_staff_survey__results') }}
    where breakdown = 'ETHNICITY'
),
labels as (
    select * from esr_labels
    union all select * from trac_labels
    union all select * from survey_groups
)
select c.source_column, c.raw_value
from esr_codes as c
left join {{ ref('ref_ethnicity_map') }} as m on c.raw_value = m.ethnic_category_code
where m.ethnic_category_code is null
union all
select l.source_column, l.raw_value
from labels as l
left join {{ ref('ref_ethnicity_label_map') }} as m on l.raw_value = m.ethnicity_label
where m.ethnicity_label is null
