{#- The follow-up window of a shortlisting cohort (var recruitment_follow_up_days), validated: a cohort
    younger than this has not had the time for its appointments to be recorded. -#}
{% macro recruitment_follow_up_days() -%}
    {%- set days = var('recruitment_follow_up_days') -%}
    {%- if days is not number or days is boolean or days < 0 or days != days | int -%}
        {{ exceptions.raise_compiler_error(
            "recruitment_follow_up_days must be a whole number of days, 0 or more (dbt_project.yml), got "
            ~ days) }}
    {%- endif -%}
    {{ return(days | int) }}
{%- endmacro %}
