{#-
    True when the trust in `alias` (a relation with trust_code, open_date and close_date, such as
    int_trust_codes_unioned) existed on `date_expr`: opened on or before it and closed on or after it
    (an ODS close date is the trust's last day). A missing open or close date does not rule it out;
    a missing trust (an outer join that found none) does.
-#}
{% macro trust_open_on(alias, date_expr) -%}
    (
        {{ alias }}.trust_code is not null
        and ({{ alias }}.open_date is null or {{ alias }}.open_date <= {{ date_expr }})
        and ({{ alias }}.close_date is null or {{ alias }}.close_date >= {{ date_expr }})
    )
{%- endmacro %}
