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
{#- The full-pay relevant people per partition group and hourly pay (int_pay_gap_group_rates), ranked
    within their ranking_id (breakdown cell x characteristic x variant) and sorted by keys alone; the
    groups' labels (int_pay_gap_groups) are joined to the shares. -#}
{%- set in_scope -%}
    {% if is_incremental() %}
        and {{ edi_in_change_scope('r.organisation_code', 'r.fy_end', ['esr_pay', 'esr_assignment']) }}
    {% endif %}
{%- endset %}

with people as (
    select r.organisation_code, r.fy_end, g.ranking_id, r.group_id, r.hourly_pay, r.people
    from {{ ref('int_pay_gap_group_rates') }} as r
    inner join {{ ref('int_pay_gap_groups') }} as g
        on r.organisation_code = g.organisation_code
        and r.fy_end = g.fy_end
        and r.group_id = g.group_id
    where g.is_partition_group
        and r.is_full_pay_relevant
        {{ in_scope }}
),

shares as (
    {{ pay_quartile_shares('people', ['organisation_code', 'fy_end', 'ranking_id'], 'group_id', 'hourly_pay',
        'people') }}
)

select
    cast(g.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(g.fy_end as date) as fy_end,
    cast(g.characteristic as {{ dbt.type_string() }}) as characteristic,
    cast(g.variant as {{ dbt.type_string() }}) as variant,
    cast(g.breakdown_type as {{ dbt.type_string() }}) as breakdown_type,
    cast(g.breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
    cast(s.quartile as int) as quartile,
    cast(g.group_value as {{ dbt.type_string() }}) as group_value,
    cast(g.group_role as {{ dbt.type_string() }}) as group_role,
    cast(s.units as double) as units,
    cast(s.quarter_units as double) as quarter_units,
    cast(s.share_pct as double) as share_pct
from shares as s
inner join {{ ref('int_pay_gap_groups') }} as g
    on s.organisation_code = g.organisation_code
    and s.fy_end = g.fy_end
    and s.group_id = g.group_id
