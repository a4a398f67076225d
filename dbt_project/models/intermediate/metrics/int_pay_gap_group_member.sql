{#- Ephemeral: a person is a member of ~7 groups in each of ~3 breakdowns (100 M rows nationally). Its
    two readers take them as they stream by: int_pay_gap_groups keeps each group's labels once, under
    its group_id; int_pay_gap_group_rates counts people per group_id and pay value, so the big table
    and its sorts carry one number where the labels were. No key is made here: the rates look each
    group's key up in int_pay_gap_groups (an md5 per membership was half their time at 10 trusts). Its
    grain and mapping are guarded there: the pay-chain tests and assert_pay_gap_partition_groups_add_up.
    Which cells it yields is decided once for both readers, by int_pay_gap_group_rates (see
    int_pay_gap_groups). -#}
{{ config(materialized='ephemeral') }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- int_pay_gap_group_member: who belongs to which pay-gap group, per breakdown cell
-- (trust x fy_end x breakdown). Partition groups (is_partition_group) split a cell's people once, for
-- quarter composition and % paid a bonus; aggregate groups (BME, All ethnic minorities) overlap them
-- and exist only as extra comparison groups.
-- Ethnicity comparison groups follow Census 2021 (harmonised 16) and roll up within each cell when
-- they have fewer than var('pay_ethnicity_min_group') full-pay relevant staff: first to the small
-- groups of the same high-level (5) group combined, then to all remaining small groups combined.
-- Age band, religion or belief, sexual orientation and the intersections sex x ethnicity (WRES groups;
-- Census 2021 5 groups) and sex x disability (HIA3's 2026 step) are grouped overall and by cluster only,
-- against the reference group their var names; their small groups are not rolled up (an intersection
-- must keep adding up to its margins) but withheld (sdc_min_group_pay). group_stratum is the population
-- a group is drawn from, whose undeclared share fct_pay_gap reports: the group's sex for an
-- intersection, else the whole cell ('all').

{#- Each person once per breakdown they fall in: overall, AfC band, WRES cluster, medical grade. Only the
    cells its incremental reader rebuilds in this run. Written out as a subquery wherever it is read:
    DuckDB materialises a CTE that is read more than once, and this one is ~20 M rows nationally. -#}
{%- set person_cells -%}
    select
        p.organisation_code, p.snapshot_date, p.fy_end, p.staff_key,
        p.is_full_pay_relevant, p.hourly_pay, p.bonus_pay, p.received_bonus,
        p.sex, p.disability_status, p.age_band, p.religion_group, p.sexual_orientation_group,
        p.is_white_british, p.wres_group, p.ethnicity_group_16, p.ethnicity_group_5,
        b.breakdown_type,
        case b.breakdown_type
            when 'overall' then 'all'
            when 'band' then p.afc_band
            when 'cluster' then p.cluster
            when 'medical_subgroup' then p.medical_subgroup
        end as breakdown_value
    from {{ ref('int_pay_gap_population') }} as p
    cross join (
        select 'overall' as breakdown_type
        union all select 'band'
        union all select 'cluster'
        union all select 'medical_subgroup'
    ) as b
    where {{ edi_rebuilt_in_this_run('p.organisation_code', 'p.snapshot_date', ['esr_pay', 'esr_assignment'],
        'int_pay_gap_group_rates', 'organisation_code', 'snapshot_date') }}
{%- endset %}

{#- characteristic, variant, reference group (validated var), whether it crosses sex with another -#}
{%- set further_characteristics = [
    ('age_band', 'default', edi_setting('pay_age_band_reference'), false),
    ('religion', 'default', edi_setting('pay_religion_reference'), false),
    ('sexual_orientation', 'default', edi_setting('pay_sexual_orientation_reference'), false),
    ('sex_ethnicity', 'wres', edi_setting('pay_sex_ethnicity_reference'), true),
    ('sex_ethnicity', 'census_2021_5', edi_setting('pay_sex_ethnicity_reference'), true),
    ('sex_disability', 'default', edi_setting('pay_sex_disability_reference'), true)] %}

with

further_characteristic as (
    {%- for characteristic, variant, reference, crosses_sex in further_characteristics %}
    select
        '{{ characteristic }}' as characteristic,
        '{{ variant }}' as variant,
        '{{ reference }}' as reference_group,
        {{ crosses_sex }} as crosses_sex
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

-- each person's group under a further characteristic: the group crossed with sex is the part after ' & '
further_groups as (
    select
        p.organisation_code, p.snapshot_date, p.fy_end, p.staff_key, p.breakdown_type, p.breakdown_value,
        p.is_full_pay_relevant, p.hourly_pay, p.bonus_pay, p.received_bonus, p.sex,
        c.characteristic, c.variant, c.reference_group, c.crosses_sex,
        case
            when c.characteristic = 'age_band' then p.age_band
            when c.characteristic = 'religion' then p.religion_group
            when c.characteristic = 'sexual_orientation' then p.sexual_orientation_group
            when c.characteristic = 'sex_disability' then p.disability_status
            when c.variant = 'wres' then p.wres_group
            else p.ethnicity_group_5
        end as part_value
    from ({{ person_cells }}) as p
    cross join further_characteristic as c
    where p.breakdown_type in ('overall', 'cluster')
        and p.breakdown_value is not null
        -- intersections cross men and women only, as the gender pay gap compares them (other values of
        -- sex are a handful of people: crossed with a second characteristic they would only be small cells)
        and (not c.crosses_sex or p.sex in ('Male', 'Female'))
),

further_members as (
    select
        organisation_code, snapshot_date, fy_end, staff_key, breakdown_type, breakdown_value,
        is_full_pay_relevant, hourly_pay, bonus_pay, received_bonus, characteristic, variant,
        group_value,
        case
            when group_value = reference_group then 'reference'
            when part_value = 'Unknown' then 'unknown'
            else 'comparison'
        end as group_role,
        case when part_value = 'Unknown' then 'unknown' else characteristic end as group_level,
        group_stratum
    from (
        select
            f.*,
            case when crosses_sex then {{ dbt.concat(['sex', "' & '", 'part_value']) }} else part_value end as group_value,
            case when crosses_sex then sex else 'all' end as group_stratum
        from further_groups as f
    ) as g
),

-- the cells' ethnicity mix: full-pay relevant staff per combination of the ethnicity columns
ethnicity_mix as (
    select
        organisation_code, fy_end, breakdown_type, breakdown_value,
        is_white_british, wres_group, ethnicity_group_16, ethnicity_group_5,
        sum(case when is_full_pay_relevant then 1 else 0 end) as full_pay_relevant_n
    from ({{ person_cells }}) as p
    where breakdown_value is not null
    group by
        organisation_code, fy_end, breakdown_type, breakdown_value,
        is_white_british, wres_group, ethnicity_group_16, ethnicity_group_5
),

comparators as (
    select 'white_british' as variant
    union all select 'wres_white'
),

ethnicity_roles as (
    select
        m.*,
        c.variant,
        {{ pay_gap_ethnicity_role('c.variant', 'm.is_white_british', 'm.wres_group') }} as group_role
    from ethnicity_mix as m
    cross join comparators as c
),

group_16_sizes as (
    select
        organisation_code, fy_end, breakdown_type, breakdown_value, variant, ethnicity_group_16,
        sum(full_pay_relevant_n) as full_pay_relevant_n
    from ethnicity_roles
    where group_role = 'comparison'
    group by organisation_code, fy_end, breakdown_type, breakdown_value, variant, ethnicity_group_16
),

-- the small 16-level groups pooled within their high-level group
small_group_5_sizes as (
    select
        e.organisation_code, e.fy_end, e.breakdown_type, e.breakdown_value, e.variant, e.ethnicity_group_5,
        sum(e.full_pay_relevant_n) as full_pay_relevant_n
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
        e.organisation_code, e.fy_end, e.breakdown_type, e.breakdown_value,
        e.is_white_british, e.wres_group, e.ethnicity_group_16, e.ethnicity_group_5,
        e.variant,
        e.group_role,
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

-- each combination's ethnicity groups: its partition group under each comparator, and the aggregate
-- comparison groups: BME (D-S) under both comparators; every known non-White British person (the ONS
-- "ethnic minority") under white_british
ethnicity_groups as (
    select
        organisation_code, fy_end, breakdown_type, breakdown_value,
        is_white_british, wres_group, ethnicity_group_16, ethnicity_group_5,
        variant, group_value, group_role, group_level, true as is_partition_group
    from ethnicity_partition

    union all

    select
        organisation_code, fy_end, breakdown_type, breakdown_value,
        is_white_british, wres_group, ethnicity_group_16, ethnicity_group_5,
        variant, 'BME', 'comparison', 'aggregate', false
    from ethnicity_partition
    where wres_group = 'BME'

    union all

    select
        organisation_code, fy_end, breakdown_type, breakdown_value,
        is_white_british, wres_group, ethnicity_group_16, ethnicity_group_5,
        variant, 'All ethnic minorities', 'comparison', 'aggregate', false
    from ethnicity_partition
    where variant = 'white_british' and group_role = 'comparison'
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
        sex in ('Male', 'Female') as is_partition_group,
        'all' as group_stratum
    from ({{ person_cells }}) as p
    where breakdown_value is not null

    union all

    select
        organisation_code, snapshot_date, fy_end, staff_key, breakdown_type, breakdown_value,
        is_full_pay_relevant, hourly_pay, bonus_pay, received_bonus,
        'disability', 'default', disability_status,
        case disability_status when 'Non-disabled' then 'reference' when 'Disabled' then 'comparison' else 'unknown' end,
        case when disability_status = 'Unknown' then 'unknown' else 'disability_status' end,
        true,
        'all'
    from ({{ person_cells }}) as p
    where breakdown_value is not null

    union all

    select
        p.organisation_code, p.snapshot_date, p.fy_end, p.staff_key, p.breakdown_type, p.breakdown_value,
        p.is_full_pay_relevant, p.hourly_pay, p.bonus_pay, p.received_bonus,
        'ethnicity', g.variant, g.group_value, g.group_role, g.group_level, g.is_partition_group, 'all'
    from ({{ person_cells }}) as p
    inner join ethnicity_groups as g
        on p.organisation_code = g.organisation_code
        and p.fy_end = g.fy_end
        and p.breakdown_type = g.breakdown_type
        and p.breakdown_value = g.breakdown_value
        and p.is_white_british = g.is_white_british
        and p.wres_group = g.wres_group
        and p.ethnicity_group_16 = g.ethnicity_group_16
        and p.ethnicity_group_5 = g.ethnicity_group_5

    union all

    select
        organisation_code, snapshot_date, fy_end, staff_key, breakdown_type, breakdown_value,
        is_full_pay_relevant, hourly_pay, bonus_pay, received_bonus,
        characteristic, variant, group_value, group_role, group_level, true, group_stratum
    from further_members
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
    cast(group_stratum as {{ dbt.type_string() }}) as group_stratum,
    cast(is_full_pay_relevant as boolean) as is_full_pay_relevant,
    cast(hourly_pay as decimal(12, 4)) as hourly_pay,
    cast(bonus_pay as decimal(14, 2)) as bonus_pay,
    cast(received_bonus as boolean) as received_bonus
from members
