{{ config(contract={'enforced': true}) }}

{#- Every standard contributes one int_edi_measure__<standard> model in the same long shape. -#}
{%- set standards = ['workforce', 'relative_likelihood', 'survey', 'pay_gap', 'hia6', 'spc'] -%}
{%- set columns = [
    ('organisation_code', dbt.type_string()), ('period_type', dbt.type_string()), ('period_end', 'date'),
    ('fy_end', 'date'), ('measure_id', dbt.type_string()), ('variant', dbt.type_string()),
    ('breakdown_type', dbt.type_string()), ('breakdown_value', dbt.type_string()),
    ('group_dimension', dbt.type_string()), ('group_value', dbt.type_string()),
    ('reference_group', dbt.type_string()), ('numerator', 'bigint'), ('denominator', 'bigint'),
    ('reference_numerator', 'bigint'), ('reference_denominator', 'bigint'), ('value', 'double'),
    ('value_unit', dbt.type_string()), ('ci_lower', 'double'), ('ci_upper', 'double'),
    ('flag_small_count', 'boolean'), ('flag_zero_cell', 'boolean'), ('flag_ci_spans_parity', 'boolean'),
    ('flag_volatile', 'boolean'), ('flag_window_incomplete', 'boolean')] -%}

-- fct_edi_measure: every measure of every standard in one long, tidy table that BI tools can pivot,
-- described by the measure catalogue (ref_measure).
with measures as (
    {%- for standard in standards %}
    select
        {%- for name, data_type in columns %}
        cast({{ name }} as {{ data_type }}) as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
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
