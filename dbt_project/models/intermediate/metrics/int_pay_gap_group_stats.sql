{#- Incremental by organisation and snapshot date: an incremental run deletes and rebuilds the cells of each
    organisation whose ESR pay or assignment deliveries changed, from the earliest changed date on
    (macros/edi_fact_helpers.sql). -#}
{{ config(
    materialized='incremental',
    incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'append'),
    pre_hook="{{ edi_delete_changed_rows('organisation_code', 'snapshot_date', ['esr_pay', 'esr_assignment']) }}",
    on_schema_change='fail'
) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- int_pay_gap_group_stats: each pay-gap group's sizes and averages per breakdown cell. Hourly pay over
-- full-pay relevant staff; bonus amounts over bonus recipients, or with pay_bonus_recipients_only =
-- false over every relevant employee, non-recipients at 0 [NV pay.bonus_recipients_only]; % paid a
-- bonus over relevant employees (everyone in the snapshot). Means are exact decimal sums over the count
-- (pay is in pence, hourly rates to 4 places), so they do not change with the order rows are added in;
-- medians pick the middle values and need no such care.
{%- set bonus_amount = 'case when received_bonus then bonus_pay end' if edi_setting('pay_bonus_recipients_only')
    else 'case when received_bonus then bonus_pay else 0 end' %}
select
    organisation_code,
    snapshot_date,
    fy_end,
    characteristic,
    variant,
    breakdown_type,
    breakdown_value,
    group_value,
    group_role,
    group_level,
    is_partition_group,
    cast(count(*) as bigint) as relevant_n,
    cast(sum(case when is_full_pay_relevant then 1 else 0 end) as bigint) as full_pay_relevant_n,
    cast({{ decimal_mean('hourly_pay', scale=4) }} as double) as mean_hourly_pay,
    {{ median('hourly_pay') }} as median_hourly_pay,
    cast(sum(case when received_bonus then 1 else 0 end) as bigint) as bonus_recipients_n,
    cast({{ decimal_mean(bonus_amount, scale=2) }} as double) as mean_bonus_pay,
    {{ median(bonus_amount) }} as median_bonus_pay,
    cast(100.0 * sum(case when received_bonus then 1 else 0 end) / nullif(count(*), 0) as double)
        as pct_paid_bonus
from {{ ref('int_pay_gap_group_member') }}
group by
    organisation_code, snapshot_date, fy_end, characteristic, variant, breakdown_type, breakdown_value,
    group_value, group_role, group_level, is_partition_group
