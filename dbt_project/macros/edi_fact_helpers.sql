{#-
    Helpers for the incremental facts.

    edi_month_start_of(date_expr): first day of the month of a date, as a date.

    The incremental facts rebuild exactly what this run's deliveries changed: landing records, per
    organisation and source, the earliest date whose figures may differ (stg_audit__change_scope). On
    an incremental run a fact first deletes its rows of each changed organisation from that date on
    (edi_delete_changed_rows, a pre-hook), then appends the same organisations and periods rebuilt
    from the sources (edi_in_change_scope, in its input filter). Rows of an organisation that left
    are deleted and nothing is appended for it; a corrected history replaces the periods it touches.
    When most of a model's rows are in scope it rebuilds its whole table instead (edi_rebuilds_everything).
    "Incremental = full rebuild" is tested on these cases (tests/integration/test_incremental.py).
-#}

{% macro edi_month_start_of(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{#- True for a row of `organisation_expr` dated `period_expr` whose figures this run may change, given
    the sources the model reads ('*' rows of the scope mean every organisation / every source): on or
    after the earliest affected_from of its organisation or of '*'. Looked up per organisation (an
    equality on the organisation, which the engine turns into a hash join; an `exists` with `or` was
    a nested loop, and an incremental run of the national warehouse cost 2-3x its full build).
    `scope_relation`: the scope's relation, for a caller that cannot ref() it (a test; ref by default). -#}
{% macro edi_change_scope_predicate(organisation_expr, period_expr, sources, scope_relation=none) -%}
    {%- set never = "cast('9999-12-31' as date)" -%}
    {%- set from_scope -%}
        -- the scope's columns are renamed so that unqualified names in the caller's expressions
        -- (organisation_code, ...) bind to the caller's row, never to the scope's own columns
        from (
            select organisation_code as edi_scope_organisation, source as edi_scope_source,
                affected_from as edi_scope_from
            from {{ scope_relation or ref('stg_audit__change_scope') }}
        ) as edi_scope
        where (edi_scope.edi_scope_source = '*' or edi_scope.edi_scope_source in ('{{ sources | join("', '") }}'))
    {%- endset -%}
    coalesce({{ period_expr }} >= least(
        coalesce((select min(edi_scope.edi_scope_from) {{ from_scope }}
            and edi_scope.edi_scope_organisation = {{ organisation_expr }}), {{ never }}),
        coalesce((select min(edi_scope.edi_scope_from) {{ from_scope }}
            and edi_scope.edi_scope_organisation = '*'), {{ never }})
    ), false)
{%- endmacro %}

{#- Does this run rebuild the whole of `relation` (an incremental model by change scope)? Yes when it
    is empty or at least var('edi_full_rebuild_share') of its rows are in the change scope: deleting
    and appending most of a table costs more than building it again. Asked while compiling the model
    and again while rendering its pre-hook (before it deletes anything), so both see the same table and
    agree; once the pre-hook has deleted the rows in scope, none is left in scope and the answer
    stays the same whichever is asked first. A compile that may not query the warehouse (--no-introspect)
    answers no: the change scope alone then says what is rebuilt. `scope_relation`: as for
    edi_change_scope_predicate. -#}
{% macro edi_rebuilds_everything(relation, organisation_column, period_column, sources, scope_relation=none) -%}
    {%- if not execute or flags.FULL_REFRESH or not flags.INTROSPECT -%}
        {{ return(flags.FULL_REFRESH) }}
    {%- endif -%}
    {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set share_sql -%}
        select count(*) = 0
            or sum(case when {{ edi_change_scope_predicate(relation ~ '.' ~ organisation_column,
                relation ~ '.' ~ period_column, sources, scope_relation) }} then 1 else 0 end)
                >= {{ var('edi_full_rebuild_share') | float }} * count(*)
        from {{ relation }}
    {%- endset -%}
    {{ return(run_query(share_sql).columns[0].values()[0]) }}
{%- endmacro %}

{#- True for a row this incremental model rebuilds in this run: every row when the model rebuilds
    everything (edi_rebuilds_everything), else the rows in the change scope. -#}
{% macro edi_in_change_scope(organisation_expr, period_expr, sources) -%}
    {%- set scope = config.get('edi_change_scope') -%}
    {%- if scope and edi_rebuilds_everything(edi_deciding_relation(), scope.organisation_column, scope.period_column,
        scope.sources) -%}
        true
    {%- else -%}
        {{ edi_change_scope_predicate(organisation_expr, period_expr, sources) }}
    {%- endif -%}
{%- endmacro %}

{#- The config of a model incremental by change scope (kwargs: further config, overriding these):
    appended on DuckDB after its pre-hook deleted the rows being rebuilt, partitions overwritten on Spark.
    kwarg decided_by: another model of the same schema and scope columns whose table decides whether
    this one rebuilds everything (two readers of one ephemeral model, which can ask only one of them).
    Use: config(**edi_incremental_by_change_scope('organisation_code', 'date_key', ['esr_assignment'])) -#}
{% macro edi_incremental_by_change_scope(organisation_column, period_column, sources) -%}
    {%- set hook_args = [organisation_column, period_column, sources] | map('tojson') | join(', ') -%}
    {%- set settings = {
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite' if target.type == 'spark' else 'append',
        'pre_hook': '{{ edi_delete_changed_rows(' ~ hook_args ~ ') }}',
        'on_schema_change': 'fail',
        'edi_change_scope': {'organisation_column': organisation_column, 'period_column': period_column,
                             'sources': sources, 'decided_by': kwargs.pop('decided_by', none)},
    } -%}
    {%- do settings.update(kwargs) -%}
    {{ return(settings) }}
{%- endmacro %}

{#- Pre-hook of an incremental fact: on an incremental run, delete the rows that will be rebuilt.
    Engines without row deletes (Spark on Parquet) overwrite whole partitions instead. -#}
{% macro edi_delete_changed_rows(organisation_column, period_column, sources) -%}
    {%- if is_incremental() and target.type != 'spark' -%}
        {%- if edi_rebuilds_everything(edi_deciding_relation(), organisation_column, period_column, sources) -%}
        delete from {{ this }}
        {%- else -%}
        delete from {{ this }}
        where {{ edi_change_scope_predicate(this ~ '.' ~ organisation_column, this ~ '.' ~ period_column, sources) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The table whose rows decide whether a model incremental by change scope rebuilds everything: its own
    (`relation`, this model's by default), or its decided_by's in the same schema. -#}
{% macro edi_deciding_relation(relation=none, scope=none) -%}
    {%- set relation = relation or this -%}
    {%- set decided_by = (scope or config.get('edi_change_scope') or {}).get('decided_by') -%}
    {%- if not decided_by -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return(api.Relation.create(database=relation.database, schema=relation.schema, identifier=decided_by)) }}
{%- endmacro %}

{#- True for a row an incremental consumer rebuilds in this run: every row on a full refresh or when
    the consumer rebuilds everything, else the rows in the change scope. For an ephemeral model read by
    one incremental model, `consumer` (its name, in the same schema): an ephemeral model cannot know
    its consumer otherwise. A second reader follows the same decision (decided_by=`consumer`). -#}
{% macro edi_rebuilt_in_this_run(organisation_expr, period_expr, sources, consumer, consumer_organisation_column,
        consumer_period_column) -%}
    {%- set relation = api.Relation.create(database=this.database, schema=this.schema, identifier=consumer) -%}
    {%- if edi_rebuilds_everything(relation, consumer_organisation_column, consumer_period_column, sources) -%}
        true
    {%- else -%}
        {{ edi_change_scope_predicate(organisation_expr, period_expr, sources) }}
    {%- endif -%}
{%- endmacro %}
