{{ config(contract={'enforced': true}) }}

-- Census 2021 usual residents by area and characteristic (metrics spec §8 population side). The
-- bundled ONS tables come at different geographies, so each characteristic keeps its own area level:
-- ethnicity_19 x LTLA, ethnicity_5 x MSOA, disability x LSOA, sex and age_band x LTLA.
with ethnicity_19 as (
    select
        'ltla' as area_level,
        e.ltla21_code as area_code,
        'ethnicity_19' as characteristic,
        e.ethnic_group as category,
        case e.broad_ethnic_group
            when 'White' then 'White'
            when 'Mixed or Multiple ethnic groups' then 'Mixed or Multiple'
            when 'Asian, Asian British or Asian Welsh' then 'Asian'
            when 'Black, Black British, Black Welsh, Caribbean or African' then 'Black'
            when 'Other ethnic group' then 'Other'
        end as ethnicity_group_5,
        cast(round(e.value, 0) as bigint) as population,
        cast(a.total_residents as bigint) as area_total_population,
        true as categories_are_exhaustive,
        'ethnicity21_ltla21 (ONS ethnic group bulletin); total from TS009' as source_table
    from {{ ref('stg_ons__census_ethnicity_ltla') }} as e
    left join {{ ref('stg_ons__census_age_sex_ltla') }} as a
        on e.ltla21_code = a.ltla21_code
    where e.measure = 'number'
),

ethnicity_5_detail as (
    select
        msoa21_code,
        case broad_ethnic_group
            when 'White' then 'White'
            when 'Mixed or Multiple ethnic groups' then 'Mixed or Multiple'
            when 'Asian, Asian British or Asian Welsh' then 'Asian'
            when 'Other ethnic group' then 'Other'
            else 'Black'
        end as category,
        residents,
        total_residents
    from {{ ref('stg_ons__census_ethnicity_msoa') }}
),

ethnicity_5 as (
    select
        'msoa' as area_level,
        msoa21_code as area_code,
        'ethnicity_5' as characteristic,
        category,
        category as ethnicity_group_5,
        cast(sum(residents) as bigint) as population,
        cast(max(total_residents) as bigint) as area_total_population,
        true as categories_are_exhaustive,
        'TS022 (ethnicity21_msoa21); Black African and Caribbean backgrounds summed' as source_table
    from ethnicity_5_detail
    group by msoa21_code, category
),

disability as (
    select
        'lsoa' as area_level,
        lsoa21_code as area_code,
        'disability' as characteristic,
        case when is_disabled then 'Disabled' else 'Non-disabled' end as category,
        cast(null as {{ dbt.type_string() }}) as ethnicity_group_5,
        cast(residents as bigint) as population,
        cast(total_residents as bigint) as area_total_population,
        true as categories_are_exhaustive,
        'TS038 (disability21_lsoa21_ew)' as source_table
    from {{ ref('stg_ons__census_disability_lsoa') }}
),

age_sex as (
    select * from {{ ref('stg_ons__census_age_sex_ltla') }}
),

sex as (
    select 'ltla' as area_level, ltla21_code as area_code, 'sex' as characteristic, 'Female' as category,
        female_residents as population, total_residents as area_total_population
    from age_sex
    union all
    select 'ltla', ltla21_code, 'sex', 'Male', male_residents, total_residents
    from age_sex
),

age_band as (
    select 'ltla' as area_level, ltla21_code as area_code, 'age_band' as characteristic, '0-15' as category,
        females_aged_0_15 + males_aged_0_15 as population, total_residents as area_total_population
    from age_sex
    union all
    select 'ltla', ltla21_code, 'age_band', '16-64', females_aged_16_64 + males_aged_16_64, total_residents
    from age_sex
    union all
    select 'ltla', ltla21_code, 'age_band', '65-74', females_aged_65_74 + males_aged_65_74, total_residents
    from age_sex
),

unioned as (
    select * from ethnicity_19
    union all
    select * from ethnicity_5
    union all
    select * from disability
    union all
    select
        area_level, area_code, characteristic, category,
        cast(null as {{ dbt.type_string() }}) as ethnicity_group_5,
        cast(population as bigint) as population,
        cast(area_total_population as bigint) as area_total_population,
        true as categories_are_exhaustive,
        'TS009 (age_gender21_ltla21_ew)' as source_table
    from sex
    union all
    select
        area_level, area_code, characteristic, category,
        cast(null as {{ dbt.type_string() }}) as ethnicity_group_5,
        cast(population as bigint) as population,
        cast(area_total_population as bigint) as area_total_population,
        -- demographr's bands miss ages 75+ and double-count under-1s: not a partition of the total
        false as categories_are_exhaustive,
        'TS009 (age_gender21_ltla21_ew), demographr broad bands' as source_table
    from age_band
)

select
    cast(area_level as {{ dbt.type_string() }}) as area_level,
    cast(area_code as {{ dbt.type_string() }}) as area_code,
    cast(characteristic as {{ dbt.type_string() }}) as characteristic,
    cast(category as {{ dbt.type_string() }}) as category,
    cast(ethnicity_group_5 as {{ dbt.type_string() }}) as ethnicity_group_5,
    cast(population as bigint) as population,
    cast(area_total_population as bigint) as area_total_population,
    cast(categories_are_exhaustive as boolean) as categories_are_exhaustive,
    cast(
        case when area_level = 'lsoa' then area_code end as {{ dbt.type_string() }}
    ) as lsoa21_code,
    cast(
        case when area_level = 'ltla' then area_code end as {{ dbt.type_string() }}
    ) as ltla21_code,
    cast(source_table as {{ dbt.type_string() }}) as source_table
from unioned
