{#-
    Normalises an organisation name for matching GOV.UK gender pay gap employers to ODS trusts:
    upper case; '&' -> ' AND '; apostrophes (straight and curly) and full stops dropped (KING'S ->
    KINGS, ST. -> ST); any other character outside A-Z, 0-9 and space -> space; 'N H S' -> NHS;
    a trailing 'NHS FT' / 'FT' -> NHS FOUNDATION TRUST / FOUNDATION TRUST; a leading THE removed;
    runs of spaces collapsed and the result trimmed.
    With drop_generic_words=true the words NHS, FOUNDATION and TRUST are removed as well (the "core"
    name, so "Birmingham & Solihull Mental Health Trust" meets BIRMINGHAM AND SOLIHULL MENTAL HEALTH
    NHS FOUNDATION TRUST).
    Regular expressions differ between engines (DuckDB needs the 'g' flag to replace every match;
    Spark always replaces every match), hence the dispatch. The patterns avoid backslashes.
-#}
{% macro normalise_org_name(expr, drop_generic_words=false) %}
    {{ return(adapter.dispatch('normalise_org_name')(expr, drop_generic_words)) }}
{% endmacro %}

{% macro _org_name_prepared(expr) %}
    replace(replace(replace(replace(upper({{ expr }}), '&', ' AND '), chr(39), ''), '’', ''), '.', '')
{% endmacro %}

{% macro duckdb__normalise_org_name(expr, drop_generic_words=false) %}
    {%- set s = "regexp_replace(" ~ _org_name_prepared(expr) ~ ", '[^A-Z0-9 ]', ' ', 'g')" -%}
    {%- set s = "concat(' ', trim(regexp_replace(" ~ s ~ ", ' +', ' ', 'g')), ' ')" -%}
    {%- set s = "replace(" ~ s ~ ", ' N H S ', ' NHS ')" -%}
    {%- set s = "regexp_replace(" ~ s ~ ", ' NHS FT $', ' NHS FOUNDATION TRUST ')" -%}
    {%- set s = "regexp_replace(" ~ s ~ ", ' FT $', ' FOUNDATION TRUST ')" -%}
    {%- set s = "regexp_replace(" ~ s ~ ", '^ THE ', ' ')" -%}
    {%- if drop_generic_words -%}
        {#- applied twice: adjacent words share the separating space -#}
        {%- set s = "regexp_replace(regexp_replace(" ~ s ~ ", ' (NHS|FOUNDATION|TRUST) ', ' ', 'g'), ' (NHS|FOUNDATION|TRUST) ', ' ', 'g')" -%}
    {%- endif -%}
    trim(regexp_replace({{ s }}, ' +', ' ', 'g'))
{% endmacro %}

{% macro spark__normalise_org_name(expr, drop_generic_words=false) %}
    {%- set s = "regexp_replace(" ~ _org_name_prepared(expr) ~ ", '[^A-Z0-9 ]', ' ')" -%}
    {%- set s = "concat(' ', trim(regexp_replace(" ~ s ~ ", ' +', ' ')), ' ')" -%}
    {%- set s = "replace(" ~ s ~ ", ' N H S ', ' NHS ')" -%}
    {%- set s = "regexp_replace(" ~ s ~ ", ' NHS FT $', ' NHS FOUNDATION TRUST ')" -%}
    {%- set s = "regexp_replace(" ~ s ~ ", ' FT $', ' FOUNDATION TRUST ')" -%}
    {%- set s = "regexp_replace(" ~ s ~ ", '^ THE ', ' ')" -%}
    {%- if drop_generic_words -%}
        {%- set s = "regexp_replace(regexp_replace(" ~ s ~ ", ' (NHS|FOUNDATION|TRUST) ', ' '), ' (NHS|FOUNDATION|TRUST) ', ' ')" -%}
    {%- endif -%}
    trim(regexp_replace({{ s }}, ' +', ' '))
{% endmacro %}
