{#- The long measure shape shared by every int_edi_measure__<standard> model and fct_edi_measure:
    (column, type) in order. -#}
{% macro edi_measure_column_types() %}
    {{ return([
        ('organisation_code', dbt.type_string()), ('period_type', dbt.type_string()), ('period_end', 'date'),
        ('fy_end', 'date'), ('measure_id', dbt.type_string()), ('variant', dbt.type_string()),
        ('breakdown_type', dbt.type_string()), ('breakdown_value', dbt.type_string()),
        ('group_dimension', dbt.type_string()), ('group_value', dbt.type_string()),
        ('reference_group', dbt.type_string()), ('numerator', 'bigint'), ('denominator', 'bigint'),
        ('reference_numerator', 'bigint'), ('reference_denominator', 'bigint'), ('value', 'double'),
        ('value_uncorrected', 'double'), ('value_unit', dbt.type_string()), ('ci_lower', 'double'),
        ('ci_upper', 'double'), ('flag_small_count', 'boolean'), ('flag_zero_cell', 'boolean'),
        ('flag_zero_cell_corrected', 'boolean'), ('flag_ci_spans_parity', 'boolean'),
        ('flag_volatile', 'boolean'), ('flag_window_incomplete', 'boolean')]) }}
{% endmacro %}

{#- Select list of the long shape: each column cast to its type, taken from the column of the same
    name unless `expressions` maps it to another expression (a literal, another column or null). -#}
{% macro edi_measure_columns(expressions={}) -%}
    {%- for name, data_type in edi_measure_column_types() %}
    cast({{ expressions.get(name, name) }} as {{ data_type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
