{#-
    reporting_year_of_event(event_date, financial_year_end): the reporting year (its 31 March, the
    fy_end key) whose event window holds an event, under the setting events_window [NV events.window]:

      financial_year  (default) events dated 1 April - 31 March count in that financial year, i.e.
                      financial_year_end (the fy_end the fact already carries for the date);
      calendar_year   events dated 1 January - 31 December count in the reporting year that calendar
                      year ends in (2023 counts in 2023/24, fy_end 2024-03-31).

    Used for the flows of WRES 2-4 and WDES 2-3 (shortlisting, case entry, training); the headcount
    bases stay the 31 March snapshot of the reporting year.
-#}
{% macro reporting_year_of_event(event_date, financial_year_end) -%}
    {%- if edi_setting('events_window') == 'financial_year' -%}
    {{ financial_year_end }}
    {%- else -%}
    cast({{ dbt.concat(["cast(extract(year from " ~ event_date ~ ") + 1 as " ~ dbt.type_string() ~ ")", "'-03-31'"]) }} as date)
    {%- endif -%}
{%- endmacro %}
