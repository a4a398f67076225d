{#-
    Helpers for the incremental facts.

    edi_month_start_of(date_expr): first day of the month of a date, as a date.

    The incremental facts rebuild exactly what this run's deliveries changed: landing records, per
    organisation and source, the earliest date whose figures may differ (stg_audit__change_scope). On
    an incremental run a fact first deletes its rows of each changed organisation from that date on
    (edi_delete_changed_rows, a pre-hook), then appends the same organisations and periods rebuilt
    from the sources (edi_in_change_scope, in its input filter). Rows of an organisation that left
    are deleted and nothing is appended for it; a corrected history replaces the periods it touches.
    "Incremental = full rebuild" is tested on these cases (tests/integration/test_incremental.py).
-#}

{% macro edi_month_start_of(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{#- True for a row of `organisation_expr` dated `period_expr` whose figures this run may change, given
    the sources the model reads ('*' rows of the scope mean every organisation / every source). -#}
{% macro edi_in_change_scope(organisation_expr, period_expr, sources) -%}
    exists (
        -- the scope's columns are renamed so that unqualified names in the caller's expressions
        -- (organisation_code, ...) bind to the caller's row, never to the scope's own columns
        select 1
        from (
            select organisation_code as edi_scope_organisation, source as edi_scope_source,
                affected_from as edi_scope_from
            from {{ ref('stg_audit__change_scope') }}
        ) as edi_scope
        where (edi_scope.edi_scope_organisation = {{ organisation_expr }} or edi_scope.edi_scope_organisation = '*')
            and (edi_scope.edi_scope_source = '*' or edi_scope.edi_scope_source in ('{{ sources | join("', '") }}'))
            and {{ period_expr }} >= edi_scope.edi_scope_from
    )
{%- endmacro %}

{#- The config of a model incremental by change scope (kwargs: further config, overriding these):
    appended on DuckDB after its pre-hook deleted the rows being rebuilt, partitions overwritten on Spark.
    Use: config(**edi_incremental_by_change_scope('organisation_code', 'date_key', ['esr_assignment'])) -#}
{% macro edi_incremental_by_change_scope(organisation_column, period_column, sources) -%}
    {%- set hook_args = [organisation_column, period_column, sources] | map('tojson') | join(', ') -%}
    {%- set settings = {
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite' if target.type == 'spark' else 'append',
        'pre_hook': '{{ edi_delete_changed_rows(' ~ hook_args ~ ') }}',
        'on_schema_change': 'fail',
    } -%}
    {%- do settings.update(kwargs) -%}
    {{ return(settings) }}
{%- endmacro %}

{#- Pre-hook of an incremental fact: on an incremental run, delete the rows that will be rebuilt.
    Engines without row deletes (Spark on Parquet) overwrite whole partitions instead. -#}
{% macro edi_delete_changed_rows(organisation_column, period_column, sources) -%}
    {%- if is_incremental() and target.type != 'spark' -%}
        delete from {{ this }}
        where {{ edi_in_change_scope(this ~ '.' ~ organisation_column, this ~ '.' ~ period_column, sources) }}
    {%- endif -%}
{%- endmacro %}

{#- True for a row an incremental consumer rebuilds in this run: every row on a full refresh, else the
    rows in the change scope. For an ephemeral model read by incremental models (it cannot know
    whether its consumer is incremental, and a full rebuild of the warehouse is always a full refresh). -#}
{% macro edi_rebuilt_in_this_run(organisation_expr, period_expr, sources) -%}
    {%- if flags.FULL_REFRESH -%}
        true
    {%- else -%}
        {{ edi_in_change_scope(organisation_expr, period_expr, sources) }}
    {%- endif -%}
{%- endmacro %}
