{#- Incremental by organisation and snapshot date: an incremental run deletes and rebuilds the cells of each
    organisation whose ESR pay or assignment deliveries changed, from the earliest changed date on
    (macros/edi_fact_helpers.sql). -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'snapshot_date', ['esr_pay', 'esr_assignment'])) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- int_pay_gap_group_stats: each pay-gap group's sizes and averages per breakdown cell. Hourly pay over
-- full-pay relevant staff; bonus amounts over bonus recipients, or with pay_bonus_recipients_only =
-- false over every relevant employee, non-recipients at 0 [NV pay.bonus_recipients_only]; % paid a
-- bonus over relevant employees (everyone in the snapshot). Taken from the people per group and pay of
-- int_pay_gap_group_rates: sizes are sums of people; means are exact decimal sums of pay x people over
-- the people (pay is in pence, hourly rates to 4 places), so they do not change with the order rows are
-- added in; medians are found in the (pay, people) counts as median() would over a row per person.
-- Grouped and sorted by each group's key; its labels (int_pay_gap_groups) are joined to the result.
{%- set bonus_amount = 'case when received_bonus then bonus_pay end' if edi_setting('pay_bonus_recipients_only')
    else 'case when received_bonus then bonus_pay else 0 end' %}
{%- set group_columns = ['organisation_code', 'snapshot_date', 'fy_end', 'characteristic', 'variant',
    'breakdown_type', 'breakdown_value', 'group_value', 'group_role', 'group_level', 'is_partition_group',
    'group_stratum'] %}
{#- the grain: a group of a trust and year is its key (its labels are joined once, at the end) -#}
{%- set group_key = ['organisation_code', 'fy_end', 'group_id'] %}
{#- Written out as a subquery wherever it is read: DuckDB materialises a CTE that is read more than once. -#}
{%- set rates -%}
    (
        select * from {{ ref('int_pay_gap_group_rates') }}
        {% if is_incremental() %}
        where {{ edi_in_change_scope('organisation_code', 'snapshot_date', ['esr_pay', 'esr_assignment']) }}
        {% endif %}
    ) as r
{%- endset %}

with sizes_and_means as (
    select
        {{ group_key | join(', ') }},
        cast(sum(people) as bigint) as relevant_n,
        cast(sum(case when is_full_pay_relevant then people else 0 end) as bigint) as full_pay_relevant_n,
        cast({{ decimal_weighted_mean('hourly_pay', 'people', scale=4) }} as double) as mean_hourly_pay,
        cast(sum(case when received_bonus then people else 0 end) as bigint) as bonus_recipients_n,
        cast({{ decimal_weighted_mean(bonus_amount, 'people', scale=2) }} as double) as mean_bonus_pay
    from {{ rates }}
    group by {{ group_key | join(', ') }}
),

hourly_medians as (
    {{ weighted_median(rates, group_key, 'hourly_pay', 'people') }}
),

bonus_medians as (
    {{ weighted_median(rates, group_key, bonus_amount, 'people') }}
)

select
    {%- for c in group_columns %}
    g.{{ c }},
    {%- endfor %}
    s.relevant_n,
    s.full_pay_relevant_n,
    s.mean_hourly_pay,
    h.median_value as median_hourly_pay,
    s.bonus_recipients_n,
    s.mean_bonus_pay,
    b.median_value as median_bonus_pay,
    cast(100.0 * s.bonus_recipients_n as double) / nullif(s.relevant_n, 0) as pct_paid_bonus
from sizes_and_means as s
inner join {{ ref('int_pay_gap_groups') }} as g
    on {% for c in group_key %}s.{{ c }} = g.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
left join hourly_medians as h
    on {% for c in group_key %}s.{{ c }} = h.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
left join bonus_medians as b
    on {% for c in group_key %}s.{{ c }} = b.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
