{#-
    Which rows the generic tests of a model read: dbt's get_where_subquery, overridden by the project (by
    name, not dispatch: a test can call only the macros its own static dependencies reach).

    A model incremental by change scope (macros/edi_fact_helpers.sql) keeps, on an incremental run, every
    row outside the change scope exactly as the run that built it left it, and that run's tests passed
    on it (or nothing was published). Its inputs did not change either: the scope covers every source the
    model's rows depend on, the dimensions they point to included. So its generic tests read only the
    rows this run rebuilt, and a test that compares rows with each other reads what they are compared with:
    - a row test (not_null, accepted_values, relationships, ...): the rows in the change scope;
    - a key test (unique, unique_combination): every row whose key is the key of a row in the change
      scope, whichever organisation or period it belongs to, so a new row clashing with a kept one fails.
    Every row is tested when the model rebuilt its whole table (first build, --full-refresh, most of it
    in scope), and always for other models. The test's own `where` config still applies.
-#}

{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set scope = edi_tested_change_scope(relation) -%}
    {%- if scope -%}
        {%- do conditions.append(edi_rows_to_test(relation, scope)) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} as edi_tested where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- The change scope of the model a generic test is attached to, when this run kept some of its rows;
    none otherwise (not a test, not such a model, or the whole table was rebuilt). -#}
{% macro edi_tested_change_scope(relation) -%}
    {%- if not execute or model.get('resource_type') != 'test' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.get('attached_node') or '') -%}
    {%- set scope = tested.config.get('edi_change_scope') if tested else none -%}
    {%- if not scope -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if edi_rebuilds_everything(edi_deciding_relation(relation, scope), scope.organisation_column,
        scope.period_column, scope.sources, edi_change_scope_relation()) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(scope) }}
{%- endmacro %}

{#- The change scope's relation, looked up rather than ref()'d: a test's refs are fixed when it is parsed. -#}
{% macro edi_change_scope_relation() -%}
    {%- set scope_node = graph.nodes['model.' ~ project_name ~ '.stg_audit__change_scope'] -%}
    {{ return(api.Relation.create(database=scope_node.database, schema=scope_node.schema,
        identifier=scope_node.alias)) }}
{%- endmacro %}

{#- The condition on `edi_tested` (a row of `relation`) keeping the rows the test must read. -#}
{% macro edi_rows_to_test(relation, scope) -%}
    {%- set scope_relation = edi_change_scope_relation() -%}
    {%- set test = model.get('test_metadata') or {} -%}
    {%- set arguments = test.get('kwargs') or {} -%}
    {%- set keys = [arguments.get('column_name')] if test.get('name') == 'unique'
        else (arguments.get('columns') or []) if test.get('name') == 'unique_combination' else [] -%}
    {%- if keys -%}
        exists (
            select 1 from {{ relation }} as edi_changed
            where {{ edi_change_scope_predicate('edi_changed.' ~ scope.organisation_column,
                'edi_changed.' ~ scope.period_column, scope.sources, scope_relation) }}
            {%- for key in keys %}
                and edi_changed.{{ key }} is not distinct from edi_tested.{{ key }}
            {%- endfor %}
        )
    {%- else -%}
        {{ edi_change_scope_predicate('edi_tested.' ~ scope.organisation_column,
            'edi_tested.' ~ scope.period_column, scope.sources, scope_relation) }}
    {%- endif -%}
{%- endmacro %}
