{{ config(meta={'dagster': {'ref': {'name': 'fct_population'}}}) }}
-- fct_population: for every area and characteristic whose categories partition the population, the
-- categories must add up to the area's published total within rounding (ONS counts are published
-- whole, the 19 ethnic groups with one decimal place, and the LTLA ethnicity total comes from another
-- table, TS009, whose rounding differs by up to 17 residents on the bundled files): allowed difference
-- max(20 residents, 0.2 % of the total); the MSOA, LSOA and sex tables reconcile exactly. Age bands are excluded
-- (categories_are_exhaustive false: the demographr bands miss ages 75+).
select
    area_level,
    area_code,
    characteristic,
    sum(population) as categories_sum,
    max(area_total_population) as published_total
from {{ ref('fct_population') }}
where categories_are_exhaustive
group by area_level, area_code, characteristic
having
    max(area_total_population) is null
    or abs(sum(population) - max(area_total_population)) > 20
        and abs(sum(population) - max(area_total_population)) > 0.002 * max(area_total_population)
