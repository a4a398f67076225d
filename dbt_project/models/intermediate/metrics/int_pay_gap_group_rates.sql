{#- Incremental by organisation and snapshot date: an incremental run deletes and rebuilds the cells of each
    organisation whose ESR pay or assignment deliveries changed, from the earliest changed date on
    (macros/edi_fact_helpers.sql). -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'snapshot_date', ['esr_pay', 'esr_assignment'])) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}
-- depends_on: {{ ref('int_pay_gap_groups') }}

-- int_pay_gap_group_rates: how many people of each pay-gap group have each pay: the memberships of
-- int_pay_gap_group_member counted per group and (hourly pay, bonus). The memberships' main reader
-- (one pass, aggregated as they stream by): group sizes, means, medians and pay quarters are all taken
-- from these counts, which hold the same information in far fewer rows (staff share pay points). The
-- group is its key alone (int_pay_gap_groups holds its labels): a national build groups ~100 M
-- memberships into ~60 M rows here, and with the labels in the key that hash table outgrew the 4 GB
-- memory limit.
select
    organisation_code,
    snapshot_date,
    fy_end,
    group_id,
    is_full_pay_relevant,
    received_bonus,
    hourly_pay,
    bonus_pay,
    cast(count(*) as bigint) as people
from {{ ref('int_pay_gap_group_member') }}
group by
    organisation_code, snapshot_date, fy_end, group_id, is_full_pay_relevant, received_bonus,
    hourly_pay, bonus_pay
