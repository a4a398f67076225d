{#-
    Helpers for the event facts (fct_recruitment_application, fct_er_case, fct_staff_incident).

    edi_month_start_of(date_expr): first day of the month of a date, as a date.

    edi_incremental_period_filter(event_date_expr, period_column, lookback_months): the
    is_incremental() filter of the period-incremental facts. It re-selects WHOLE months, from
    `lookback_months` months before the latest period already loaded; the facts pair it with
    delete+insert keyed on the period column on DuckDB (every target row of a re-selected month is
    deleted, then the month is inserted again) and insert_overwrite of the month partitions on
    Spark (the period column is the model's last column).
-#}

{% macro edi_month_start_of(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{#- The is_incremental() filter: re-select whole periods from `lookback` periods before the latest loaded one. -#}
{% macro edi_incremental_period_filter(event_date_expr, period_column, lookback_months) -%}
    {{ edi_month_start_of(event_date_expr) }} >= (
        select coalesce(
            cast({{ dbt.dateadd('month', -1 * lookback_months, 'max(' ~ period_column ~ ')') }} as date),
            cast('1900-01-01' as date)
        )
        from {{ this }}
    )
{%- endmacro %}
