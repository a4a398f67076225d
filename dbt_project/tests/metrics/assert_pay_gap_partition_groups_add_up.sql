{{ config(meta={'dagster': {'ref': {'name': 'int_pay_gap_group_stats'}}}) }}

-- Spec §6: in every breakdown cell, the partition groups of a characteristic and comparator hold each
-- person once (Unknown its own group; gender quarters rank men and women only, yet every person has
-- a sex group), so their sizes add up to the cell's population; the intersections with sex hold every
-- man and woman once. Guards the grain of the ephemeral
-- int_pay_gap_group_member, whose rows only the counts of int_pay_gap_group_rates keep.
{%- set men_and_women = "sum(case when sex in ('Male', 'Female') then 1 else 0 end)" %}

with partition_sizes as (
    select organisation_code, fy_end, breakdown_type, breakdown_value, characteristic, variant,
        sum(relevant_n) as grouped_n
    from {{ ref('int_pay_gap_group_stats') }}
    where is_partition_group or characteristic = 'sex'
    group by organisation_code, fy_end, breakdown_type, breakdown_value, characteristic, variant
),

-- the population of each breakdown cell, counted from the per-person rows independently of the
-- membership model's expansion
population as (
    select organisation_code, fy_end, 'overall' as breakdown_type, 'all' as breakdown_value, count(*) as population_n,
        {{ men_and_women }} as men_and_women_n
    from {{ ref('int_pay_gap_population') }}
    group by organisation_code, fy_end
    union all
    select organisation_code, fy_end, 'band', afc_band, count(*), {{ men_and_women }}
    from {{ ref('int_pay_gap_population') }}
    where afc_band is not null
    group by organisation_code, fy_end, afc_band
    union all
    select organisation_code, fy_end, 'cluster', cluster, count(*), {{ men_and_women }}
    from {{ ref('int_pay_gap_population') }}
    where cluster is not null
    group by organisation_code, fy_end, cluster
    union all
    select organisation_code, fy_end, 'medical_subgroup', medical_subgroup, count(*), {{ men_and_women }}
    from {{ ref('int_pay_gap_population') }}
    where medical_subgroup is not null
    group by organisation_code, fy_end, medical_subgroup
)

select s.*, p.population_n, p.men_and_women_n
from partition_sizes as s
left join population as p
    on s.organisation_code = p.organisation_code and s.fy_end = p.fy_end
    and s.breakdown_type = p.breakdown_type and s.breakdown_value = p.breakdown_value
where p.population_n is null
    or s.grouped_n <> case when s.characteristic in ('sex_ethnicity', 'sex_disability') then p.men_and_women_n
        else p.population_n end
