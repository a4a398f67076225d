{#- Incremental by organisation and snapshot date: an incremental run deletes and rebuilds the cells of each
    organisation whose ESR pay or assignment deliveries changed, from the earliest changed date on
    (macros/edi_fact_helpers.sql). -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'snapshot_date', ['esr_pay', 'esr_assignment'])) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- int_pay_gap_group_rates: how many people of each pay-gap group have each pay: the memberships of
-- int_pay_gap_group_member counted per group and (hourly pay, bonus). The only reader of the
-- memberships (one pass, aggregated as they stream by): group sizes, means, medians and pay quarters
-- are all taken from these counts, which hold the same information in far fewer rows (staff share
-- pay points).
select
    organisation_code,
    snapshot_date,
    fy_end,
    breakdown_type,
    breakdown_value,
    characteristic,
    variant,
    group_value,
    group_role,
    group_level,
    is_partition_group,
    group_stratum,
    is_full_pay_relevant,
    received_bonus,
    hourly_pay,
    bonus_pay,
    cast(count(*) as bigint) as people
from {{ ref('int_pay_gap_group_member') }}
group by
    organisation_code, snapshot_date, fy_end, breakdown_type, breakdown_value, characteristic, variant,
    group_value, group_role, group_level, is_partition_group, group_stratum, is_full_pay_relevant, received_bonus,
    hourly_pay, bonus_pay
