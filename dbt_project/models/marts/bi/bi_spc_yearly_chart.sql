{{ config(contract={'enforced': true}) }}

-- bi_spc_yearly_chart: the yearly differential-attainment SPC charts of fct_spc_yearly_point point by
-- point, disclosure-controlled as bi_spc_chart is: the plotted value is bi_edi_measure's published one
-- (null where withheld), and a segment with a withheld value publishes no centre or limits, since they
-- would give away the sum of its withheld values; its classes stay.
{%- set series_columns = ['organisation_code', 'measure_id', 'variant', 'breakdown_type', 'breakdown_value',
                          'group_dimension', 'group_value'] %}
with published as (
    select {% for c in series_columns %}{{ c }}, {% endfor %}period_end as fy_end, value
    from {{ ref('bi_edi_measure') }}
    where standard = 'DA' and period_type = 'financial_year'
),

charted as (
    select
        p.*,
        b.value as published_value,
        min(p.fy_end) over (partition by {% for c in series_columns %}p.{{ c }}, {% endfor %}p.segment)
            as segment_start,
        max(case when b.value is null then 1 else 0 end) over (
            partition by {% for c in series_columns %}p.{{ c }}, {% endfor %}p.segment) as has_withheld
    from {{ ref('fct_spc_yearly_point') }} as p
    left join published as b
        on {% for c in series_columns %}p.{{ c }} = b.{{ c }} and {% endfor %}p.fy_end = b.fy_end
)

select
    {%- for c in series_columns %}
    cast(p.{{ c }} as {{ dbt.type_string() }}) as {{ c }},
    {%- if c == 'measure_id' %}
    cast(m.bi_label as {{ dbt.type_string() }}) as measure_label,
    {%- endif %}
    {%- endfor %}
    cast(p.reference_group as {{ dbt.type_string() }}) as reference_group,
    cast(p.fy_end as date) as fy_end,
    cast(p.published_value as double) as value,
    cast(p.value_unit as {{ dbt.type_string() }}) as value_unit,
    cast(p.higher_is_better as boolean) as higher_is_better,
    cast(p.series_years as int) as series_years,
    cast(p.segment as int) as segment,
    cast(p.segment > 1 and p.fy_end = p.segment_start as boolean) as is_rebase_start,
    cast(p.point_seq as int) as point_seq,
    {{ spc_published_limits('p') }},
    cast(p.limits_status as {{ dbt.type_string() }}) as limits_status,
    cast(p.special_cause_rule as {{ dbt.type_string() }}) as special_cause_rule,
    cast(p.special_cause_direction as int) as special_cause_direction,
    cast(p.variation as {{ dbt.type_string() }}) as variation,
    cast(p.has_withheld = 1 as boolean) as limits_withheld
from charted as p
left join {{ ref('ref_measure') }} as m
    on p.measure_id = m.measure_id
