{{ config(meta={'dagster': {'ref': {'name': 'dim_organisation'}}}) }}
-- Every organisation (trust) code in the ESR assignment extract must exist in dim_organisation, so ESR
-- facts never fall back to the unknown member unnoticed. Returns the missing codes with their row counts.
select
    assignments.organisation_code,
    count(*) as assignment_rows
from {{ ref('stg_esr__assignments') }} as assignments
left join {{ ref('dim_organisation') }} as organisations
    on assignments.organisation_code = organisations.trust_code
where assignments.organisation_code is not null
    and organisations.trust_code is null
group by assignments.organisation_code
