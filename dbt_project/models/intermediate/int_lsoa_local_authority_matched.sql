-- LSOA 2021 -> local authority district 2021. The LSOA lookup carries no LA code, but every LSOA name is
-- the LA name plus a space and a 3-digit + letter suffix ("Halton 001A"): strip the last 5 characters and
-- match the result to the census 2021 LTLA names (England only). Three ONS LA names carry a
-- ", City of" / ", County of" suffix that LSOA names drop (Bristol, Herefordshire, Kingston upon Hull),
-- so the census name is compared with that suffix removed too. Other commas ("Bournemouth,
-- Christchurch and Poole") are part of the name and kept.
with lsoa as (
    select
        lsoa21_code,
        lsoa21_name,
        trim(substring(lsoa21_name, 1, {{ dbt.length('lsoa21_name') }} - 5)) as local_authority_name,
        sicbl24_ons_code,
        sicbl24_ods_code,
        sicbl24_name,
        icb24_ons_code,
        icb24_ods_code,
        icb24_name
    from {{ ref('stg_geography__lsoa_icb_lookup') }}
),

census_ltla as (
    select distinct
        ltla21_code,
        ltla21_name
    from {{ ref('stg_ons__census_ethnicity_ltla') }}
    where ltla21_code like 'E%'
),

ltla_names as (
    select
        ltla21_code,
        ltla21_name,
        case
            when ltla21_name like '%, City of' or ltla21_name like '%, County of'
                then trim({{ dbt.split_part('ltla21_name', "', '", 1) }})
            else ltla21_name
        end as match_name
    from census_ltla
)

select
    lsoa.lsoa21_code,
    lsoa.lsoa21_name,
    lsoa.local_authority_name,
    ltla_names.ltla21_code,
    ltla_names.ltla21_name,
    lsoa.sicbl24_ons_code,
    lsoa.sicbl24_ods_code,
    lsoa.sicbl24_name,
    lsoa.icb24_ons_code,
    lsoa.icb24_ods_code,
    lsoa.icb24_name
from lsoa
left join ltla_names
    on lsoa.local_authority_name = ltla_names.match_name
