{{ config(meta={'dagster': {'ref': {'name': 'fct_staff_incident'}}}) }}
-- fct_staff_incident keeps every stg_datix__incident_staff row and fct_er_case every stg_er__cases
-- row: nothing excluded, nothing fanned out by the identity or dimension joins (returns mismatches).
with counts as (
    select
        'fct_staff_incident' as fact,
        (select count(*) from {{ ref('fct_staff_incident') }}) as fact_rows,
        (select count(*) from {{ ref('stg_datix__incident_staff') }}) as staging_rows
    union all
    select
        'fct_er_case' as fact,
        (select count(*) from {{ ref('fct_er_case') }}) as fact_rows,
        (select count(*) from {{ ref('stg_er__cases') }}) as staging_rows
)

select fact, fact_rows, staging_rows
from counts
where fact_rows <> staging_rows
