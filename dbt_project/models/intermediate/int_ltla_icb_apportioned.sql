-- Census 2021 ethnicity is at local authority (LTLA 2021) level, so ICB counts are built from the
-- local authorities of the ICB's LSOAs (int_lsoa_local_authority_matched). Eleven authorities are split
-- between two ICBs; their residents are apportioned by the share of the authority's LSOAs in each ICB
-- (LSOAs hold roughly equal populations: an approximation, documented in the YAML).
with lsoa as (
    select ltla21_code, icb24_ods_code
    from {{ ref('int_lsoa_local_authority_matched') }}
    where ltla21_code is not null
),

la_icb as (
    select ltla21_code, icb24_ods_code, count(*) as lsoa_count
    from lsoa
    group by ltla21_code, icb24_ods_code
),

la_total as (
    select ltla21_code, count(*) as la_lsoa_count
    from lsoa
    group by ltla21_code
),

la_weight as (
    select
        la_icb.ltla21_code,
        la_icb.icb24_ods_code,
        cast(la_icb.lsoa_count as double) / cast(la_total.la_lsoa_count as double) as la_weight
    from la_icb
    inner join la_total on la_icb.ltla21_code = la_total.ltla21_code
)

select ltla21_code, icb24_ods_code, la_weight
from la_weight
