{#- Cast a landed column to the type its data contract declares: the type it landed as, or castTo for a
    number carried as text (survey counts with "-" for a suppressed cell). Landing quarantines every
    value that does not cast to that type, so no landed value can fail this cast. `expression` is what
    is cast when it is not the column itself (e.g. the text with its null marker removed). -#}
{% macro contract_cast(table, column, expression=none) -%}
    cast({{ column if expression is none else expression }} as {{ contract_type(table, column) }})
{%- endmacro %}


{#- The contract type of raw.<table>.<column>, read from the dbt sources generated from the contracts
    (`edi contracts sync`), as a portable type name. -#}
{% macro contract_type(table, column) -%}
    {%- if not execute -%}
        {{ return(dbt.type_string()) }}
    {%- endif -%}
    {%- set source = graph.sources.get('source.' ~ project_name ~ '.raw.' ~ table) -%}
    {%- set declared = source.columns.get(column) if source is not none else none -%}
    {%- if declared is none -%}
        {{ exceptions.raise_compiler_error('contract_cast: raw.' ~ table ~ ' has no column ' ~ column) }}
    {%- endif -%}
    {%- set type = (declared.meta or {}).get('cast_to') or declared.data_type -%}
    {%- set portable = {'integer': 'int', 'varchar': dbt.type_string()} -%}
    {{ return(portable.get(type, type)) }}
{%- endmacro %}
