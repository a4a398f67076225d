{#- Incremental by organisation and snapshot date, as int_pay_gap_group_rates, whose table decides whether
    the two rebuild everything (decided_by): both read the ephemeral int_pay_gap_group_member, whose cells
    follow that one decision, so each deletes exactly the cells it appends. Built before the rates
    (their depends_on), so that both ask the rates' table before it changes. -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'snapshot_date', ['esr_pay', 'esr_assignment'],
    decided_by='int_pay_gap_group_rates')) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- int_pay_gap_groups: every pay-gap group of a trust and year once, with what its key stands for. The
-- memberships (int_pay_gap_group_member) carry each group's labels on every member's row; here they
-- are kept once, so that the people per group and pay (int_pay_gap_group_rates) and the sorts over
-- them (int_pay_gap_group_stats, fct_pay_quartile) need only the group's key.
select
    g.*,
    {{ pay_gap_key(['breakdown_type', 'breakdown_value', 'characteristic', 'variant', 'group_value']) }} as group_id,
    {{ pay_gap_key(['breakdown_type', 'breakdown_value', 'characteristic', 'variant']) }} as ranking_id
from (
    -- the key is made once per group here (md5 is dear), the same way the memberships make it
    select distinct
        organisation_code, snapshot_date, fy_end, breakdown_type, breakdown_value, characteristic, variant,
        group_value, group_role, group_level, is_partition_group, group_stratum
    from {{ ref('int_pay_gap_group_member') }}
) as g
