-- Catchment (ICB) residents by the 16 harmonised ethnic groups, for representation below the five
-- high-level groups (metrics-spec §8). Local authority counts are apportioned to ICBs as for the
-- five-group profile (int_ltla_icb_apportioned). Apportioned counts are fractional: they are summed as
-- decimals (decimal_sum) so the shares do not change with the order the rows are added in.
with census as (
    select c.ltla21_code, h.census_2021_harmonised_group, h.ethnicity_group_5, cast(c.value as double) as population
    from {{ ref('stg_ons__census_ethnicity_ltla') }} as c
    inner join {{ ref('ref_census_ethnicity_harmonised') }} as h on c.ethnic_group = h.census_2021_category
    where c.measure = 'number'
),

by_icb as (
    select
        w.icb24_ods_code, c.census_2021_harmonised_group, c.ethnicity_group_5,
        {{ decimal_sum('w.la_weight * c.population') }} as population
    from census as c
    inner join {{ ref('int_ltla_icb_apportioned') }} as w on c.ltla21_code = w.ltla21_code
    group by w.icb24_ods_code, c.census_2021_harmonised_group, c.ethnicity_group_5
)

select
    icb24_ods_code as icb_ods_code,
    census_2021_harmonised_group,
    ethnicity_group_5,
    cast(population as double) as population,
    cast(population as double)
        / nullif(cast(sum(population) over (partition by icb24_ods_code) as double), 0) as population_share
from by_icb
