{#- Incremental by organisation and financial year (31 March snapshot): an incremental run deletes and rebuilds the cells of each
    organisation whose ESR pay or assignment deliveries changed, from the earliest changed date on
    (macros/edi_fact_helpers.sql). -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'fy_end', ['esr_pay', 'esr_assignment'],
    contract={'enforced': true})) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- fct_pay_quartile: each group's share of each hourly-pay quarter (metrics-spec §6), full-pay relevant
-- staff only, ranked within each breakdown cell. Partition groups only, so the groups of a quarter sum
-- to 100 %: Unknown ethnicity / disability is its own group (May 2023 guidance); gender quarters rank
-- men and women only. Tied rates straddling a boundary are split in proportion (pay_quartile_shares).
{#- The full-pay relevant people per partition group and hourly pay (int_pay_gap_group_rates). Written out
    as a subquery wherever it is read: DuckDB materialises a CTE that is read more than once. -#}
{%- set people -%}
    (
        select
            organisation_code, fy_end, characteristic, variant, breakdown_type, breakdown_value,
            group_value, group_role, hourly_pay, people
        from {{ ref('int_pay_gap_group_rates') }}
        where is_partition_group
            and is_full_pay_relevant
        {% if is_incremental() %}
            and {{ edi_in_change_scope('organisation_code', 'fy_end', ['esr_pay', 'esr_assignment']) }}
        {% endif %}
    ) as p
{%- endset %}

with shares as (
    {{ pay_quartile_shares(
        people,
        ['organisation_code', 'fy_end', 'characteristic', 'variant', 'breakdown_type', 'breakdown_value'],
        'group_value',
        'hourly_pay',
        'people'
    ) }}
),

roles as (
    select distinct
        organisation_code, fy_end, characteristic, variant, breakdown_type, breakdown_value,
        group_value, group_role
    from {{ people }}
)

select
    cast(s.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(s.fy_end as date) as fy_end,
    cast(s.characteristic as {{ dbt.type_string() }}) as characteristic,
    cast(s.variant as {{ dbt.type_string() }}) as variant,
    cast(s.breakdown_type as {{ dbt.type_string() }}) as breakdown_type,
    cast(s.breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
    cast(s.quartile as int) as quartile,
    cast(s.group_value as {{ dbt.type_string() }}) as group_value,
    cast(r.group_role as {{ dbt.type_string() }}) as group_role,
    cast(s.units as double) as units,
    cast(s.quarter_units as double) as quarter_units,
    cast(s.share_pct as double) as share_pct
from shares as s
inner join roles as r
    on s.organisation_code = r.organisation_code
    and s.fy_end = r.fy_end
    and s.characteristic = r.characteristic
    and s.variant = r.variant
    and s.breakdown_type = r.breakdown_type
    and s.breakdown_value = r.breakdown_value
    and s.group_value = r.group_value
