{#- Incremental by organisation and financial year (31 March snapshot): an incremental run deletes and rebuilds the cells of each
    organisation whose ESR pay or assignment deliveries changed, from the earliest changed date on
    (macros/edi_fact_helpers.sql). -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'fy_end', ['esr_pay', 'esr_assignment'],
    contract={'enforced': true})) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- fct_pay_gap: every pay-gap comparison (metrics-spec §6): the reference group (Male; White British or
-- WRES White by comparator; Non-disabled; for age band, religion or belief, sexual orientation and the
-- intersections the group their pay_<characteristic>_reference var names) against each comparison
-- group of the same breakdown cell.
-- Gaps are (reference - comparison) / reference x 100; % paid a bonus is compared as a pp difference.
-- Unknown / other values are left out of every gap and reported as unknown_n and known_rate_pct, and
-- per compared group as the share not stated of the population it is drawn from (<side>_not_stated_pct).
{#- The bonus gaps are over bonus recipients, or every relevant employee (pay_bonus_recipients_only). -#}
{%- set bonus_n = 'bonus_recipients_n' if edi_setting('pay_bonus_recipients_only') else 'relevant_n' %}
{%- set measures = [
    {'id': 'pay_gap_mean_hourly_pct', 'n': 'full_pay_relevant_n', 'value': 'mean_hourly_pay', 'base': 'full_pay_relevant_n'},
    {'id': 'pay_gap_median_hourly_pct', 'n': 'full_pay_relevant_n', 'value': 'median_hourly_pay', 'base': 'full_pay_relevant_n'},
    {'id': 'bonus_gap_mean_pct', 'n': bonus_n, 'value': 'mean_bonus_pay', 'base': 'relevant_n'},
    {'id': 'bonus_gap_median_pct', 'n': bonus_n, 'value': 'median_bonus_pay', 'base': 'relevant_n'},
    {'id': 'pct_paid_bonus', 'n': 'relevant_n', 'value': 'pct_paid_bonus', 'base': 'relevant_n'},
] %}

with stats as (
    select * from {{ ref('int_pay_gap_group_stats') }}
    {% if is_incremental() %}
    where {{ edi_in_change_scope('organisation_code', 'fy_end', ['esr_pay', 'esr_assignment']) }}
    {% endif %}
),

-- the population each group is drawn from (its stratum: the whole cell, or its sex for an intersection:
-- partition groups plus the unknown / other values) and the part of it whose value is not known
strata as (
    select
        organisation_code, fy_end, characteristic, variant, breakdown_type, breakdown_value, group_stratum,
        sum(relevant_n) as relevant_n,
        sum(full_pay_relevant_n) as full_pay_relevant_n,
        sum(case when group_role = 'unknown' then relevant_n else 0 end) as unknown_relevant_n,
        sum(case when group_role = 'unknown' then full_pay_relevant_n else 0 end) as unknown_full_pay_relevant_n
    from stats
    where is_partition_group or group_role = 'unknown'
    group by organisation_code, fy_end, characteristic, variant, breakdown_type, breakdown_value, group_stratum
),

-- the whole cell and its unknown part
cells as (
    select
        organisation_code, fy_end, characteristic, variant, breakdown_type, breakdown_value,
        sum(relevant_n) as relevant_n,
        sum(full_pay_relevant_n) as full_pay_relevant_n,
        sum(unknown_relevant_n) as unknown_relevant_n,
        sum(unknown_full_pay_relevant_n) as unknown_full_pay_relevant_n
    from strata
    group by organisation_code, fy_end, characteristic, variant, breakdown_type, breakdown_value
),

pairs as (
    select
        c.organisation_code,
        c.fy_end,
        c.snapshot_date,
        c.characteristic,
        c.variant,
        c.breakdown_type,
        c.breakdown_value,
        r.group_value as reference_group,
        c.group_value as comparison_group,
        c.group_level as comparison_group_level,
        {%- for column in ['relevant_n', 'full_pay_relevant_n', 'bonus_recipients_n', 'mean_hourly_pay',
                           'median_hourly_pay', 'mean_bonus_pay', 'median_bonus_pay', 'pct_paid_bonus'] %}
        r.{{ column }} as reference_{{ column }},
        c.{{ column }} as comparison_{{ column }},
        {%- endfor %}
        k.relevant_n as cell_relevant_n,
        k.full_pay_relevant_n as cell_full_pay_relevant_n,
        k.unknown_relevant_n,
        k.unknown_full_pay_relevant_n,
        {%- for side in ['reference', 'comparison'] %}
        {%- set stratum = 'rs' if side == 'reference' else 'cs' %}
        {{ stratum }}.relevant_n as {{ side }}_stratum_relevant_n,
        {{ stratum }}.full_pay_relevant_n as {{ side }}_stratum_full_pay_relevant_n,
        {{ stratum }}.unknown_relevant_n as {{ side }}_stratum_unknown_relevant_n,
        {{ stratum }}.unknown_full_pay_relevant_n as {{ side }}_stratum_unknown_full_pay_relevant_n{{ ',' if not loop.last }}
        {%- endfor %}
    from stats as c
    inner join stats as r
        on c.organisation_code = r.organisation_code
        and c.fy_end = r.fy_end
        and c.characteristic = r.characteristic
        and c.variant = r.variant
        and c.breakdown_type = r.breakdown_type
        and c.breakdown_value = r.breakdown_value
        and r.group_role = 'reference'
    inner join cells as k
        on c.organisation_code = k.organisation_code
        and c.fy_end = k.fy_end
        and c.characteristic = k.characteristic
        and c.variant = k.variant
        and c.breakdown_type = k.breakdown_type
        and c.breakdown_value = k.breakdown_value
    {%- for alias, side in [('rs', 'r'), ('cs', 'c')] %}
    inner join strata as {{ alias }}
        on {{ side }}.organisation_code = {{ alias }}.organisation_code
        and {{ side }}.fy_end = {{ alias }}.fy_end
        and {{ side }}.characteristic = {{ alias }}.characteristic
        and {{ side }}.variant = {{ alias }}.variant
        and {{ side }}.breakdown_type = {{ alias }}.breakdown_type
        and {{ side }}.breakdown_value = {{ alias }}.breakdown_value
        and {{ side }}.group_stratum = {{ alias }}.group_stratum
    {%- endfor %}
    where c.group_role = 'comparison'
),

measures as (
    {%- for m in measures %}
    select
        organisation_code,
        fy_end,
        snapshot_date,
        characteristic,
        variant,
        breakdown_type,
        breakdown_value,
        '{{ m.id }}' as measure_id,
        reference_group,
        comparison_group,
        comparison_group_level,
        reference_{{ m.n }} as reference_n,
        comparison_{{ m.n }} as comparison_n,
        {%- if m.id == 'pct_paid_bonus' %}
        reference_bonus_recipients_n as reference_recipients_n,
        comparison_bonus_recipients_n as comparison_recipients_n,
        {%- else %}
        cast(null as bigint) as reference_recipients_n,
        cast(null as bigint) as comparison_recipients_n,
        {%- endif %}
        reference_{{ m.value }} as reference_value,
        comparison_{{ m.value }} as comparison_value,
        {%- if m.id == 'pct_paid_bonus' %}
        'percent' as value_unit,
        reference_pct_paid_bonus - comparison_pct_paid_bonus as gap_value,
        'pp' as gap_unit,
        {%- else %}
        'gbp' as value_unit,
        {{ pay_gap_pct('reference_' ~ m.value, 'comparison_' ~ m.value) }} as gap_value,
        'percent' as gap_unit,
        {%- endif %}
        cell_{{ m.base }} as cell_n,
        unknown_{{ m.base }} as unknown_n,
        {%- for side in ['reference', 'comparison'] %}
        cast(100.0 * {{ side }}_stratum_unknown_{{ m.base }} as double) / nullif({{ side }}_stratum_{{ m.base }}, 0)
            as {{ side }}_not_stated_pct{{ ',' if not loop.last }}
        {%- endfor %}
    from pairs
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(fy_end as date) as fy_end,
    cast(snapshot_date as date) as snapshot_date,
    cast(characteristic as {{ dbt.type_string() }}) as characteristic,
    cast(variant as {{ dbt.type_string() }}) as variant,
    cast(breakdown_type as {{ dbt.type_string() }}) as breakdown_type,
    cast(breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
    cast(measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(reference_group as {{ dbt.type_string() }}) as reference_group,
    cast(comparison_group as {{ dbt.type_string() }}) as comparison_group,
    cast(comparison_group_level as {{ dbt.type_string() }}) as comparison_group_level,
    cast(reference_n as bigint) as reference_n,
    cast(comparison_n as bigint) as comparison_n,
    cast(reference_recipients_n as bigint) as reference_recipients_n,
    cast(comparison_recipients_n as bigint) as comparison_recipients_n,
    cast(reference_value as double) as reference_value,
    cast(comparison_value as double) as comparison_value,
    cast(value_unit as {{ dbt.type_string() }}) as value_unit,
    cast(gap_value as double) as gap_value,
    cast(gap_unit as {{ dbt.type_string() }}) as gap_unit,
    cast(cell_n as bigint) as cell_n,
    cast(unknown_n as bigint) as unknown_n,
    cast(100.0 * (cell_n - unknown_n) as double) / nullif(cell_n, 0) as known_rate_pct,
    cast(
        reference_n < {{ var('sdc_min_group_pay') }} or comparison_n < {{ var('sdc_min_group_pay') }}
        as boolean
    ) as is_small_group,
    cast(reference_not_stated_pct as double) as reference_not_stated_pct,
    cast(comparison_not_stated_pct as double) as comparison_not_stated_pct,
    -- [NV] most of a compared group's population did not state the characteristic: the gap compares
    -- the few who did
    cast(coalesce(
        reference_not_stated_pct > {{ var('pay_low_declaration_pct') }}
            or comparison_not_stated_pct > {{ var('pay_low_declaration_pct') }}, false)
        as boolean) as flag_low_declaration
from measures
