{#-
    materialized='table_in_batches': a table built a batch of organisations at a time, so the memory a
    build needs is that of its largest batch whatever the number of organisations, and its time grows
    linearly with them. For a model whose rows of one organisation depend only on that organisation's
    input rows (bi_edi_measure: no disclosure-control line crosses organisations); its SQL filters its
    input with edi_batch_filter(column).

    Config: batch_source (the name of a model the model refs: its distinct batch_column values are the
    organisations), batch_column, batch_size (organisations per batch).
    Each batch: the batch's values are written to edi_batch_relation() and the model's SQL appends its
    rows; the first batch creates the table (with the model's contract), the rest insert. Then, as
    for a table, the new table replaces the old one.
-#}

{#- The relation holding the organisations of the batch being built (one column, batch_value). -#}
{% macro edi_batch_relation() -%}
    {{ return(api.Relation.create(database=this.database, schema=this.schema,
        identifier=this.identifier ~ '__batch', type='table')) }}
{%- endmacro %}

{#- A condition keeping the rows of the batch being built: always true unless the model is
    materialized in batches (a plain `dbt compile` of the model then builds it whole). -#}
{% macro edi_batch_filter(column) -%}
    {%- if config.get('materialized') == 'table_in_batches' -%}
    {{ column }} in (select batch_value from {{ edi_batch_relation() }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{% materialization table_in_batches, default %}
  {%- set batch_source = config.require('batch_source') -%}
  {%- set batch_column = config.require('batch_column') -%}
  {%- set batch_size = config.require('batch_size') -%}
  {%- if batch_size is not number or batch_size < 1 -%}
    {{ exceptions.raise_compiler_error("table_in_batches: batch_size must be a whole number of at least 1, not " ~ batch_size) }}
  {%- endif -%}

  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
  {%- set backup_relation = make_backup_relation(target_relation, 'table' if existing_relation is none else existing_relation.type) -%}
  {%- set batch_relation = edi_batch_relation() -%}
  {%- set batches_relation = batch_relation.incorporate(path={'identifier': this.identifier ~ '__batches'}) -%}
  {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
  {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}
  {{ adapter.drop_relation(batch_relation) }}
  {{ adapter.drop_relation(batches_relation) }}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {#- every organisation, numbered into batches in its code's order -#}
  {#- (plain create table as: the model's contract is for the model, not for these helper tables) -#}
  {% call statement('batches') -%}
    create table {{ batches_relation }} as
    select
        batch_value,
        cast(floor((dense_rank() over (order by batch_value asc nulls last) - 1) / {{ batch_size }}) as bigint) as batch_no
    from (select distinct {{ batch_column }} as batch_value from {{ ref(batch_source) }}) as v
  {%- endcall %}
  {%- set batch_count = run_query('select count(distinct batch_no) from ' ~ batches_relation).columns[0].values()[0] -%}

  {%- set ns = namespace(column_list='') -%}
  {#- at least one batch, so that a source with no organisations still gives the (empty) table -#}
  {%- for batch_no in range([batch_count, 1] | max) %}
    {{ adapter.drop_relation(batch_relation) }}
    {% call statement('batch_' ~ batch_no) -%}
      create table {{ batch_relation }} as
      select batch_value from {{ batches_relation }} where batch_no = {{ batch_no }}
    {%- endcall %}
    {% if loop.first %}
      {% call statement('main') -%}
        {{ get_create_table_as_sql(False, intermediate_relation, compiled_code) }}
      {%- endcall %}
      {%- set ns.column_list = adapter.get_columns_in_relation(intermediate_relation) | map(attribute='name') | join(', ') -%}
    {% else %}
      {% call statement('append_batch_' ~ batch_no) -%}
        insert into {{ intermediate_relation }} ({{ ns.column_list }})
        select {{ ns.column_list }} from (
          {{ compiled_code }}
        ) as batch_rows
      {%- endcall %}
    {% endif %}
  {%- endfor %}
  {{ adapter.drop_relation(batch_relation) }}
  {{ adapter.drop_relation(batches_relation) }}

  {% if existing_relation is not none %}
    {{ adapter.rename_relation(existing_relation, backup_relation) }}
  {% endif %}
  {{ adapter.rename_relation(intermediate_relation, target_relation) }}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do persist_docs(target_relation, model) %}
  {{ adapter.commit() }}
  {{ drop_relation_if_exists(backup_relation) }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
