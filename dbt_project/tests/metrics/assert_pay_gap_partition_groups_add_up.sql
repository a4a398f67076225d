{{ config(meta={'dagster': {'ref': {'name': 'int_pay_gap_group_stats'}}}) }}

-- Spec §6: in every breakdown cell, the partition groups of a characteristic and comparator hold each
-- person once (Unknown its own group; gender quarters rank men and women only, yet every person has
-- a sex group), so their sizes add up to the cell's population. Guards the grain of the ephemeral
-- int_pay_gap_group_member, whose rows only these aggregates keep.
with partition_sizes as (
    select organisation_code, fy_end, breakdown_type, breakdown_value, characteristic, variant,
        sum(relevant_n) as grouped_n
    from {{ ref('int_pay_gap_group_stats') }}
    where is_partition_group or characteristic = 'sex'
    group by organisation_code, fy_end, breakdown_type, breakdown_value, characteristic, variant
),

population as (
    select organisation_code, fy_end, breakdown_type, breakdown_value, count(*) as population_n
    from {{ ref('int_pay_gap_population') }}
    group by organisation_code, fy_end, breakdown_type, breakdown_value
)

select s.*, p.population_n
from partition_sizes as s
left join population as p
    on s.organisation_code = p.organisation_code and s.fy_end = p.fy_end
    and s.breakdown_type = p.breakdown_type and s.breakdown_value = p.breakdown_value
where p.population_n is null or s.grouped_n <> p.population_n
