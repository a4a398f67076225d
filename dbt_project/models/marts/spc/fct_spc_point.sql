-- fct_spc_point: every point of every SPC chart (metrics-spec §9) with its XmR limits, rules and
-- variation class, from the spc_xmr macro. Options come from the spc_* vars; rebases from ref_spc_rebase.
-- Immature appointment-rate cohorts (int_spc_series.is_immature) are charted but not assessed: they
-- would read low for want of time, not of appointments, and raise a false signal on the latest point.
with series as (
    select * from {{ ref('int_spc_series') }}
),

charted as (
    {{ spc_xmr('series', ['organisation_code', 'measure_id'], 'period_end', 'value', 'higher_is_better',
               rebase_relation=ref('ref_spc_rebase'), exclude_column='is_immature') }}
)

select
    cast(s.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(s.measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(s.period_end as date) as period_end,
    cast(s.period_type as {{ dbt.type_string() }}) as period_type,
    cast(s.fy_end as date) as fy_end,
    cast(s.group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(s.group_value as {{ dbt.type_string() }}) as group_value,
    cast(s.numerator as bigint) as numerator,
    cast(s.denominator as bigint) as denominator,
    cast(c.value as double) as value,
    cast(s.value_unit as {{ dbt.type_string() }}) as value_unit,
    cast(c.higher_is_better as boolean) as higher_is_better,
    {{ spc_point_columns('c') }},
    cast(s.is_immature as boolean) as is_immature
from charted as c
inner join series as s
    on c.organisation_code = s.organisation_code
    and c.measure_id = s.measure_id
    and c.period_end = s.period_end
