{#- ESR's ethnic origin codes from the leading token of its label ("A White - British" -> A, "CA ..." -> CA):
    the local category code (up to two characters; longer tokens are not codes) and the national
    one-letter category (99, not stated, kept whole). TIS records ethnicity in ESR's code set, so both
    staging models derive them here. -#}
{% macro esr_ethnic_category_codes(leading_token) -%}
        case
            when {{ dbt.length(leading_token) }} <= 2 then {{ leading_token }}
        end as ethnic_category_code,
        case
            when {{ dbt.length(leading_token) }} > 2 then null
            when {{ leading_token }} = '99' then '99'
            else substring({{ leading_token }}, 1, 1)
        end as ethnic_category_national_code
{%- endmacro %}
