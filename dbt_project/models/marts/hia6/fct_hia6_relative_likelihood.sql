{{ config(contract={'enforced': true}) }}

-- HIA6 group comparison (spec §7a via §2): relative likelihood of staff in the numerator group being
-- affected by an incident (distinct staff affected / 31 March headcount) against the denominator group,
-- per incident type x perpetrator and financial year. ref_measure names the two groups.
with measures as (
    select measure_id, numerator_group, denominator_group
    from {{ ref('ref_measure') }}
    where standard = 'HIA6'
        and measure_kind = 'relative_likelihood'
),

annual as (
    select * from {{ ref('fct_hia6_incident_rate') }}
    where period_type = 'financial_year'
),

paired as (
    select
        num.organisation_code,
        num.fy_end,
        m.measure_id,
        num.group_dimension,
        m.numerator_group,
        m.denominator_group,
        num.incident_type,
        num.perpetrator,
        num.breakdown_value,
        num.staff_affected as numerator_events,
        num.headcount as numerator_base,
        den.staff_affected as denominator_events,
        den.headcount as denominator_base,
        num.staff_affected_per_1000 as numerator_rate_per_1000,
        den.staff_affected_per_1000 as denominator_rate_per_1000
    from measures as m
    inner join annual as num
        on m.numerator_group = num.group_value
    inner join annual as den
        on num.organisation_code = den.organisation_code
        and num.period_end = den.period_end
        and num.group_dimension = den.group_dimension
        and num.incident_type = den.incident_type
        and num.perpetrator = den.perpetrator
        and m.denominator_group = den.group_value
),

compared as (
    select
        paired.*,
        {{ relative_likelihood('numerator_events', 'numerator_base', 'denominator_events', 'denominator_base') }}
    from paired
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(fy_end as date) as fy_end,
    cast(measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(numerator_group as {{ dbt.type_string() }}) as numerator_group,
    cast(denominator_group as {{ dbt.type_string() }}) as denominator_group,
    cast(incident_type as {{ dbt.type_string() }}) as incident_type,
    cast(perpetrator as {{ dbt.type_string() }}) as perpetrator,
    cast(breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
    cast(numerator_events as bigint) as numerator_events,
    cast(numerator_base as bigint) as numerator_base,
    cast(denominator_events as bigint) as denominator_events,
    cast(denominator_base as bigint) as denominator_base,
    cast(numerator_rate_per_1000 as double) as numerator_rate_per_1000,
    cast(denominator_rate_per_1000 as double) as denominator_rate_per_1000,
    cast(rl_value as double) as rl_value,
    cast(rl_corrected as double) as rl_corrected,
    cast(ci_lower as double) as ci_lower,
    cast(ci_upper as double) as ci_upper,
    cast(flag_small_count as boolean) as flag_small_count,
    cast(flag_zero_cell as boolean) as flag_zero_cell,
    cast(flag_ci_spans_parity as boolean) as flag_ci_spans_parity,
    cast(flag_volatile as boolean) as flag_volatile
from compared
