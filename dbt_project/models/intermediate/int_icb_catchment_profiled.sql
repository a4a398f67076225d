-- Catchment profile of each ICB (April 2024) for representation (§8) and peer benchmarking (§11).
-- Local authority counts are apportioned to ICBs by int_ltla_icb_apportioned.
with la_weight as (
    select ltla21_code, icb24_ods_code, la_weight
    from {{ ref('int_ltla_icb_apportioned') }}
),

census as (
    select
        ltla21_code,
        sum(cast(value as double)) as population,
        sum(case when broad_ethnic_group = 'White' then cast(value as double) else 0 end) as white,
        sum(case when broad_ethnic_group = 'Mixed or Multiple ethnic groups' then cast(value as double) else 0 end) as mixed,
        sum(case when broad_ethnic_group = 'Asian, Asian British or Asian Welsh' then cast(value as double) else 0 end) as asian,
        sum(case when broad_ethnic_group = 'Black, Black British, Black Welsh, Caribbean or African' then cast(value as double) else 0 end) as black,
        sum(case when broad_ethnic_group = 'Other ethnic group' then cast(value as double) else 0 end) as other
    from {{ ref('stg_ons__census_ethnicity_ltla') }}
    where measure = 'number'
    group by ltla21_code
),

-- IMD 2019 is published on 2023 LTLA codes. The 17 districts abolished in April 2023 take the score
-- of the unitary authority that replaced them (Cumberland, Westmorland and Furness, North Yorkshire,
-- Somerset); all other 2021 codes are unchanged in 2023.
ltla23_bridge as (
    select 'E07000026' as ltla21_code, 'E06000063' as ltla23_code
    union all select 'E07000028', 'E06000063'
    union all select 'E07000029', 'E06000063'
    union all select 'E07000027', 'E06000064'
    union all select 'E07000030', 'E06000064'
    union all select 'E07000031', 'E06000064'
    union all select 'E07000163', 'E06000065'
    union all select 'E07000164', 'E06000065'
    union all select 'E07000165', 'E06000065'
    union all select 'E07000166', 'E06000065'
    union all select 'E07000167', 'E06000065'
    union all select 'E07000168', 'E06000065'
    union all select 'E07000169', 'E06000065'
    union all select 'E07000187', 'E06000066'
    union all select 'E07000188', 'E06000066'
    union all select 'E07000189', 'E06000066'
    union all select 'E07000246', 'E06000066'
),

la_imd as (
    select
        census.ltla21_code,
        imd.imd_score
    from census
    left join ltla23_bridge on census.ltla21_code = ltla23_bridge.ltla21_code
    left join {{ ref('stg_mhclg__imd2019_ltla') }} as imd
        on coalesce(ltla23_bridge.ltla23_code, census.ltla21_code) = imd.ltla23_code
),

la_rows as (
    select
        la_weight.icb24_ods_code,
        la_weight.ltla21_code,
        la_weight.la_weight * census.population as population,
        la_weight.la_weight * census.white as white,
        la_weight.la_weight * census.mixed as mixed,
        la_weight.la_weight * census.asian as asian,
        la_weight.la_weight * census.black as black,
        la_weight.la_weight * census.other as other,
        la_imd.imd_score
    from la_weight
    inner join census on la_weight.ltla21_code = census.ltla21_code
    left join la_imd on la_weight.ltla21_code = la_imd.ltla21_code
),

icb as (
    select
        icb24_ods_code,
        count(*) as local_authority_count,
        -- apportioned counts are fractional: decimal sums, the same whatever the order of the rows
        {%- for column in ['population', 'white', 'mixed', 'asian', 'black', 'other'] %}
        cast({{ decimal_sum(column) }} as double) as {{ column }},
        {%- endfor %}
        cast({{ decimal_sum('case when imd_score is not null then population * imd_score end') }} as double)
            as imd_weighted_sum,
        cast({{ decimal_sum('case when imd_score is not null then population end') }} as double) as imd_population
    from la_rows
    group by icb24_ods_code
)

select
    icb24_ods_code as icb_ods_code,
    cast(local_authority_count as int) as local_authority_count,
    cast(round(population, 0) as bigint) as catchment_population,
    white / nullif(population, 0) as pop_share_white,
    mixed / nullif(population, 0) as pop_share_mixed,
    asian / nullif(population, 0) as pop_share_asian,
    black / nullif(population, 0) as pop_share_black,
    other / nullif(population, 0) as pop_share_other,
    (population - white) / nullif(population, 0) as pop_share_bme,
    imd_weighted_sum / nullif(imd_population, 0) as imd_score,
    imd_population / nullif(population, 0) as imd_population_coverage
from icb
