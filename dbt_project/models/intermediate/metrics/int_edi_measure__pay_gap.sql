-- int_edi_measure__pay_gap: the pay-gap measures (metrics-spec §6) in the common long shape.
-- Gaps: group_value = comparison group, reference_group = reference group, numerator / reference_denominator
-- = their sizes on the measure's base. % paid a bonus: one row per group (recipients / relevant employees).
-- Quarter shares: breakdown 'quartile' / 'Q1'..'Q4' overall, '<breakdown>_quartile' / '<value>:Q<n>' within
-- a band, cluster or medical grade; units are fractional under the tie rule, so numerator and
-- denominator hold them rounded to whole people (for disclosure control) while value is exact.
-- Share not stated (pay_not_stated_pct): one row per population the compared groups are drawn from
-- (group_value 'all', or the sex of an intersection). A gap over a population most of which did not
-- state the characteristic (fct_pay_gap.flag_low_declaration) is flagged volatile: an estimate, not a finding.
with gaps as (
    select
        organisation_code,
        fy_end,
        measure_id,
        variant,
        breakdown_type,
        breakdown_value,
        characteristic as group_dimension,
        comparison_group as group_value,
        reference_group,
        comparison_n as numerator,
        cast(null as bigint) as denominator,
        cast(null as bigint) as reference_numerator,
        reference_n as reference_denominator,
        gap_value as value,
        gap_unit as value_unit,
        reference_n < {{ var('sdc_min_group_pay') }} or comparison_n < {{ var('sdc_min_group_pay') }}
            as flag_small_count,
        reference_n = 0 or comparison_n = 0 as flag_zero_cell,
        flag_low_declaration
    from {{ ref('fct_pay_gap') }}
    where measure_id <> 'pct_paid_bonus'
),

paid_bonus as (
    select
        organisation_code,
        fy_end,
        'pct_paid_bonus' as measure_id,
        variant,
        breakdown_type,
        breakdown_value,
        characteristic as group_dimension,
        group_value,
        cast(null as {{ dbt.type_string() }}) as reference_group,
        bonus_recipients_n as numerator,
        relevant_n as denominator,
        cast(null as bigint) as reference_numerator,
        cast(null as bigint) as reference_denominator,
        pct_paid_bonus as value,
        'percent' as value_unit,
        bonus_recipients_n between {{ var('sdc_suppress_min') }} and {{ var('sdc_suppress_max') }}
            as flag_small_count,
        bonus_recipients_n = 0 as flag_zero_cell,
        false as flag_low_declaration
    from {{ ref('int_pay_gap_group_stats') }}
),

-- the share not stated beside the gaps: of each population the groups are drawn from (the cell, 'all';
-- for an intersection each sex), the relevant employees whose value is unknown / not stated
not_stated as (
    select
        organisation_code,
        fy_end,
        'pay_not_stated_pct' as measure_id,
        variant,
        breakdown_type,
        breakdown_value,
        characteristic as group_dimension,
        group_stratum as group_value,
        cast(null as {{ dbt.type_string() }}) as reference_group,
        sum(case when group_role = 'unknown' then relevant_n else 0 end) as numerator,
        sum(relevant_n) as denominator,
        cast(null as bigint) as reference_numerator,
        cast(null as bigint) as reference_denominator,
        cast(100.0 * sum(case when group_role = 'unknown' then relevant_n else 0 end) as double) / sum(relevant_n) as value,
        'percent' as value_unit,
        sum(case when group_role = 'unknown' then relevant_n else 0 end)
            between {{ var('sdc_suppress_min') }} and {{ var('sdc_suppress_max') }} as flag_small_count,
        sum(case when group_role = 'unknown' then relevant_n else 0 end) = 0 as flag_zero_cell,
        cast(100.0 * sum(case when group_role = 'unknown' then relevant_n else 0 end) as double) / sum(relevant_n)
            > {{ var('pay_low_declaration_pct') }} as flag_low_declaration
    from {{ ref('int_pay_gap_group_stats') }}
    where is_partition_group or group_role = 'unknown'
    group by organisation_code, fy_end, variant, breakdown_type, breakdown_value, characteristic, group_stratum
),

quarters as (
    select
        organisation_code,
        fy_end,
        'pay_quartile_share_pct' as measure_id,
        variant,
        case
            when breakdown_type = 'overall' then 'quartile'
            else {{ dbt.concat(['breakdown_type', "'_quartile'"]) }}
        end as breakdown_type,
        case
            when breakdown_type = 'overall' then {{ dbt.concat(["'Q'", 'cast(quartile as ' ~ dbt.type_string() ~ ')']) }}
            else {{ dbt.concat(['breakdown_value', "':Q'", 'cast(quartile as ' ~ dbt.type_string() ~ ')']) }}
        end as breakdown_value,
        characteristic as group_dimension,
        group_value,
        cast(null as {{ dbt.type_string() }}) as reference_group,
        cast(round(units, 0) as bigint) as numerator,
        cast(round(quarter_units, 0) as bigint) as denominator,
        cast(null as bigint) as reference_numerator,
        cast(null as bigint) as reference_denominator,
        share_pct as value,
        'percent' as value_unit,
        round(units, 0) between {{ var('sdc_suppress_min') }} and {{ var('sdc_suppress_max') }}
            as flag_small_count,
        units = 0 as flag_zero_cell,
        false as flag_low_declaration
    from {{ ref('fct_pay_quartile') }}
),

measures as (
    select * from gaps
    union all
    select * from paid_bonus
    union all
    select * from not_stated
    union all
    select * from quarters
)

select
    {{ edi_measure_columns({
        'period_type': "'financial_year'",
        'period_end': "fy_end",
        'value_uncorrected': "value",
        'flag_zero_cell_corrected': "false",
        'ci_lower': "null",
        'ci_upper': "null",
        'flag_ci_spans_parity': "false",
        'flag_volatile': "flag_small_count or flag_zero_cell or flag_low_declaration",
        'flag_window_incomplete': "false"}) }}
from measures
