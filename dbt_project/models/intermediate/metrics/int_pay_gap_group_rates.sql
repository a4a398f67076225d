{#- Incremental by organisation and snapshot date: an incremental run deletes and rebuilds the cells of each
    organisation whose ESR pay or assignment deliveries changed, from the earliest changed date on
    (macros/edi_fact_helpers.sql). -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'snapshot_date', ['esr_pay', 'esr_assignment'])) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- int_pay_gap_group_rates: how many people of each pay-gap group have each pay: the memberships of
-- int_pay_gap_group_member counted per group and (hourly pay, bonus). The memberships' main reader
-- (one pass, aggregated as they stream by): group sizes, means, medians and pay quarters are all taken
-- from these counts, which hold the same information in far fewer rows (staff share pay points). The
-- group is its key alone (int_pay_gap_groups holds its labels): a national build groups ~100 M
-- memberships into ~60 M rows here, and with the labels in the key that hash table outgrew the 4 GB
-- memory limit. The key is looked up by the labels in a dictionary of the few thousand label sets
-- (every trust and year shares them), made from int_pay_gap_groups, built from the same memberships
-- just before. A lookup per membership took half the time of an md5 per membership at 10 trusts
-- (2.3 -> 1.3 s), ~5 % nationally, where counting the ~60 M (group, pay) rows dominates. Its labels are
-- never null (its not-null test runs first), so an inner join drops no membership.
{%- set labels = ['breakdown_type', 'breakdown_value', 'characteristic', 'variant', 'group_value'] %}
select
    m.organisation_code,
    m.snapshot_date,
    m.fy_end,
    k.group_id,
    m.is_full_pay_relevant,
    m.received_bonus,
    m.hourly_pay,
    m.bonus_pay,
    cast(count(*) as bigint) as people
from {{ ref('int_pay_gap_group_member') }} as m
inner join (
    select distinct {{ labels | join(', ') }}, group_id
    from {{ ref('int_pay_gap_groups') }}
) as k
    on {% for c in labels %}m.{{ c }} = k.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
group by
    m.organisation_code, m.snapshot_date, m.fy_end, k.group_id, m.is_full_pay_relevant, m.received_bonus,
    m.hourly_pay, m.bonus_pay
