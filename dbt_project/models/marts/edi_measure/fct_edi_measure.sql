{{ config(contract={'enforced': true}) }}

{#- Every standard contributes one int_edi_measure__<standard> model in the same long shape. -#}
{%- set standards = ['workforce', 'relative_likelihood', 'survey', 'pay_gap', 'hia6', 'spc', 'differential_attainment'] -%}

-- fct_edi_measure: every measure of every standard in one long, tidy table that BI tools can pivot,
-- described by the measure catalogue (ref_measure).
with measures as (
    {%- for standard in standards %}
    select {{ edi_measure_columns() }}
    from {{ ref('int_edi_measure__' ~ standard) }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select
    m.*,
    cast(c.standard as {{ dbt.type_string() }}) as standard,
    cast(c.indicator_code as {{ dbt.type_string() }}) as indicator_code,
    cast(c.bi_label as {{ dbt.type_string() }}) as measure_label,
    cast(c.measure_kind as {{ dbt.type_string() }}) as measure_kind,
    cast(c.higher_is_better as boolean) as higher_is_better,
    cast(c.adverse_side as {{ dbt.type_string() }}) as adverse_side
from measures as m
inner join {{ ref('ref_measure') }} as c
    on m.measure_id = c.measure_id
