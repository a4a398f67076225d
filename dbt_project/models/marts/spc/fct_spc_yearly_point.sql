-- fct_spc_yearly_point: every point of the yearly SPC (XmR) charts of differential attainment, from
-- int_spc_yearly_series through the same spc_xmr macro and options as the monthly charts (metrics-spec
-- §9). Rebase dates of ref_spc_rebase apply to every group and breakdown of their measure.
with series as (
    select * from {{ ref('int_spc_yearly_series') }}
),

rebases as (
    select distinct
        s.organisation_code, s.measure_id, s.variant, s.breakdown_type, s.breakdown_value,
        s.group_dimension, s.group_value, r.rebase_date
    from series as s
    inner join {{ ref('ref_spc_rebase') }} as r
        on s.organisation_code = r.organisation_code
        and s.measure_id = r.measure_id
),

{%- set series_columns = ['organisation_code', 'measure_id', 'variant', 'breakdown_type', 'breakdown_value',
                          'group_dimension', 'group_value'] %}

charted as (
    {{ spc_xmr('series', series_columns, 'fy_end', 'value', 'higher_is_better', rebase_relation='rebases') }}
)

select
    {%- for c in series_columns %}
    cast(s.{{ c }} as {{ dbt.type_string() }}) as {{ c }},
    {%- endfor %}
    cast(s.reference_group as {{ dbt.type_string() }}) as reference_group,
    cast(s.fy_end as date) as fy_end,
    cast(s.numerator as bigint) as numerator,
    cast(s.denominator as bigint) as denominator,
    cast(c.value as double) as value,
    cast(s.value_unit as {{ dbt.type_string() }}) as value_unit,
    cast(c.higher_is_better as boolean) as higher_is_better,
    cast(s.series_years as int) as series_years,
    {{ spc_point_columns('c') }}
from charted as c
inner join series as s
    on {% for c in series_columns %}c.{{ c }} = s.{{ c }} and {% endfor %}c.fy_end = s.fy_end
