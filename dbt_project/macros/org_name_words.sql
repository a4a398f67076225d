{#-
    The words of an organisation name, one row per word: selects `key_columns` and `word` from
    `relation`, splitting `normalised_name_column` (a name already passed through normalise_org_name,
    so single-spaced upper case) on spaces. Words are singularised - a final S is dropped from words
    longer than three letters - so that HOSPITALS meets HOSPITAL and SERVICES meets SERVICE (NHS, CCG
    and CSU keep theirs). Only the first `max_words` words are read (the longest trust or employer
    name in the bundled files has 13). A word repeated in a name gives one row.
-#}
{% macro org_name_words(relation, key_columns, normalised_name_column, max_words=16) %}
    {%- set keys = key_columns | join(', ') -%}
    select distinct {{ keys }}, word
    from (
        select
            {{ keys }},
            case
                when {{ dbt.length('raw_word') }} > 3 and {{ dbt.right('raw_word', '1') }} = 'S'
                    then substring(raw_word, 1, {{ dbt.length('raw_word') }} - 1)
                else raw_word
            end as word
        from (
            {%- for position in range(1, max_words + 1) %}
            {%- if not loop.first %}
            union all
            {%- endif %}
            select {{ keys }}, {{ dbt.split_part(normalised_name_column, "' '", position) }} as raw_word
            from {{ relation }}
            {%- endfor %}
        ) as split_words
        where raw_word is not null and raw_word <> ''
    ) as singular_words
{% endmacro %}
