{#- Ephemeral: a person is a member of ~7 groups in each of ~3 breakdowns, so as a table this was the
    warehouse's largest (100 M rows nationally) and read once by each of its two consumers; as a CTE
    its rows stream straight into their aggregations. Its grain and mapping are guarded there:
    int_pay_gap_group_stats' unit test and assert_pay_gap_partition_groups_add_up. -#}
{{ config(materialized='ephemeral') }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- int_pay_gap_group_member: who belongs to which pay-gap group, per breakdown cell
-- (trust x fy_end x breakdown). Partition groups (is_partition_group) split a cell's people once, for
-- quarter composition and % paid a bonus; aggregate groups (BME, All ethnic minorities) overlap them
-- and exist only as extra comparison groups.
-- Ethnicity comparison groups follow Census 2021 (harmonised 16) and roll up within each cell when
-- they have fewer than var('pay_ethnicity_min_group') full-pay relevant staff: first to the small
-- groups of the same high-level (5) group combined, then to all remaining small groups combined.
with population as (
    -- only the cells its incremental consumers rebuild in this run
    select * from {{ ref('int_pay_gap_population') }}
    where {{ edi_rebuilt_in_this_run('organisation_code', 'snapshot_date', ['esr_pay', 'esr_assignment']) }}
),

comparators as (
    select 'white_british' as variant
    union all select 'wres_white'
),

ethnicity_roles as (
    select
        p.*,
        c.variant,
        {{ pay_gap_ethnicity_role('c.variant', 'p.is_white_british', 'p.wres_group') }} as group_role
    from population as p
    cross join comparators as c
),

group_16_sizes as (
    select
        organisation_code, fy_end, breakdown_type, breakdown_value, variant, ethnicity_group_16,
        sum(case when is_full_pay_relevant then 1 else 0 end) as full_pay_relevant_n
    from ethnicity_roles
    where group_role = 'comparison'
    group by organisation_code, fy_end, breakdown_type, breakdown_value, variant, ethnicity_group_16
),

-- the small 16-level groups pooled within their high-level group
small_group_5_sizes as (
    select
        e.organisation_code, e.fy_end, e.breakdown_type, e.breakdown_value, e.variant, e.ethnicity_group_5,
        sum(case when e.is_full_pay_relevant then 1 else 0 end) as full_pay_relevant_n
    from ethnicity_roles as e
    inner join group_16_sizes as g
        on e.organisation_code = g.organisation_code
        and e.fy_end = g.fy_end
        and e.breakdown_type = g.breakdown_type
        and e.breakdown_value = g.breakdown_value
        and e.variant = g.variant
        and e.ethnicity_group_16 = g.ethnicity_group_16
    where e.group_role = 'comparison'
        and g.full_pay_relevant_n < {{ var('pay_ethnicity_min_group') }}
    group by e.organisation_code, e.fy_end, e.breakdown_type, e.breakdown_value, e.variant, e.ethnicity_group_5
),

ethnicity_partition as (
    select
        e.*,
        case
            when e.group_role = 'reference' and e.variant = 'white_british' then 'White British'
            when e.group_role = 'reference' then 'White'
            when e.group_role = 'unknown' then 'Unknown'
            when g.full_pay_relevant_n >= {{ var('pay_ethnicity_min_group') }} then e.ethnicity_group_16
            when s.full_pay_relevant_n >= {{ var('pay_ethnicity_min_group') }}
                then {{ dbt.concat(['e.ethnicity_group_5', "': smaller groups combined'"]) }}
            when e.variant = 'white_british' then 'Ethnic minorities: smaller groups combined'
            else 'BME: smaller groups combined'
        end as group_value,
        case
            when e.group_role <> 'comparison' then e.group_role
            when g.full_pay_relevant_n >= {{ var('pay_ethnicity_min_group') }} then 'census_2021_16'
            when s.full_pay_relevant_n >= {{ var('pay_ethnicity_min_group') }} then 'census_2021_5_combined'
            else 'all_combined'
        end as group_level
    from ethnicity_roles as e
    left join group_16_sizes as g
        on e.organisation_code = g.organisation_code
        and e.fy_end = g.fy_end
        and e.breakdown_type = g.breakdown_type
        and e.breakdown_value = g.breakdown_value
        and e.variant = g.variant
        and e.ethnicity_group_16 = g.ethnicity_group_16
    left join small_group_5_sizes as s
        on e.organisation_code = s.organisation_code
        and e.fy_end = s.fy_end
        and e.breakdown_type = s.breakdown_type
        and e.breakdown_value = s.breakdown_value
        and e.variant = s.variant
        and e.ethnicity_group_5 = s.ethnicity_group_5
),

members as (
    select
        organisation_code, snapshot_date, fy_end, staff_key, breakdown_type, breakdown_value,
        is_full_pay_relevant, hourly_pay, bonus_pay, received_bonus,
        'sex' as characteristic,
        'default' as variant,
        sex as group_value,
        case sex when 'Male' then 'reference' when 'Female' then 'comparison' else 'unknown' end as group_role,
        case when sex in ('Male', 'Female') then 'sex' else 'unknown' end as group_level,
        -- gender quarters rank men and women only (the regulations' quartiles)
        sex in ('Male', 'Female') as is_partition_group
    from population

    union all

    select
        organisation_code, snapshot_date, fy_end, staff_key, breakdown_type, breakdown_value,
        is_full_pay_relevant, hourly_pay, bonus_pay, received_bonus,
        'disability', 'default', disability_status,
        case disability_status when 'Non-disabled' then 'reference' when 'Disabled' then 'comparison' else 'unknown' end,
        case when disability_status = 'Unknown' then 'unknown' else 'disability_status' end,
        true
    from population

    union all

    select
        organisation_code, snapshot_date, fy_end, staff_key, breakdown_type, breakdown_value,
        is_full_pay_relevant, hourly_pay, bonus_pay, received_bonus,
        'ethnicity', variant, group_value, group_role, group_level, true
    from ethnicity_partition

    union all

    -- aggregate comparison groups: BME (D-S) under both comparators; every known non-White British
    -- person (the ONS "ethnic minority") under white_british
    select
        organisation_code, snapshot_date, fy_end, staff_key, breakdown_type, breakdown_value,
        is_full_pay_relevant, hourly_pay, bonus_pay, received_bonus,
        'ethnicity', variant, 'BME', 'comparison', 'aggregate', false
    from ethnicity_roles
    where wres_group = 'BME'

    union all

    select
        organisation_code, snapshot_date, fy_end, staff_key, breakdown_type, breakdown_value,
        is_full_pay_relevant, hourly_pay, bonus_pay, received_bonus,
        'ethnicity', variant, 'All ethnic minorities', 'comparison', 'aggregate', false
    from ethnicity_roles
    where variant = 'white_british' and group_role = 'comparison'
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(snapshot_date as date) as snapshot_date,
    cast(fy_end as date) as fy_end,
    cast(staff_key as {{ dbt.type_string() }}) as staff_key,
    cast(breakdown_type as {{ dbt.type_string() }}) as breakdown_type,
    cast(breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
    cast(characteristic as {{ dbt.type_string() }}) as characteristic,
    cast(variant as {{ dbt.type_string() }}) as variant,
    cast(group_value as {{ dbt.type_string() }}) as group_value,
    cast(group_role as {{ dbt.type_string() }}) as group_role,
    cast(group_level as {{ dbt.type_string() }}) as group_level,
    cast(is_partition_group as boolean) as is_partition_group,
    cast(is_full_pay_relevant as boolean) as is_full_pay_relevant,
    cast(hourly_pay as decimal(12, 4)) as hourly_pay,
    cast(bonus_pay as decimal(14, 2)) as bonus_pay,
    cast(received_bonus as boolean) as received_bonus
from members
