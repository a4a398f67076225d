{#-
    A model's SQL as a chain of CTEs, some of them marked as stages (edi_cte_chain), and
    materialized='table_in_stages': a table built by writing each stage out as a table before the
    next statement is planned.

    Why: Spark inlines a deterministic CTE at every place it is read, so a chain whose steps each read
    the step before more than once (the 16 secondary-suppression passes of bi_edi_measure) becomes one
    plan exponential in its length, which the driver runs out of memory planning. Written out, each
    stage is read as a table, and no plan holds more than one step. DuckDB builds the same chain as
    one query (on DuckDB the model is not materialized in stages).

    A chain is a dict: ctes, a list of {name, sql, stage (optional, default false)} or
    {name, chain, stage} (a nested chain: the CTE is that chain's query), and select, the query over
    them. edi_cte_chain(chain) renders `with name as (sql), ... select` unless the model is
    materialized table_in_stages; then it renders one statement per stage, each under a marker line
    `-- edi_stage <name>`, and the chain's select under `-- edi_stage_result`: nested chains are
    flattened, and each statement defines a stage already written as `name as (select * from
    <model>__<name>)`, so the SQL of every CTE is the same in both forms.
-#}

{% macro edi_in_stages() -%}
    {{ return(config.get('materialized') == 'table_in_stages') }}
{%- endmacro %}

{#- The table a stage of the model being built is written to. -#}
{% macro edi_stage_relation(name) -%}
    {{ return(api.Relation.create(database=this.database, schema=this.schema,
        identifier=this.identifier ~ '__' ~ name, type='table')) }}
{%- endmacro %}

{% macro edi_cte_chain(chain) -%}
    {%- if edi_in_stages() -%}
        {{ edi_staged_chain(chain) }}
    {%- else -%}
        {{ edi_with_clause(chain.ctes) }}
        {{ chain.select }}
    {%- endif -%}
{%- endmacro %}

{% macro edi_with_clause(ctes) -%}
    {%- if ctes -%}
    with {% for cte in ctes -%}
    {{ cte.name }} as (
        {{ edi_cte_chain(cte.chain) if cte.chain is defined else cte.sql }}
    ){{ ',' if not loop.last }}
    {% endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- The CTEs of a chain with every nested chain's CTEs spliced in before the CTE that reads them. -#}
{% macro edi_flat_ctes(ctes) -%}
    {%- set flat = [] -%}
    {%- for cte in ctes -%}
        {%- if cte.chain is defined -%}
            {%- do flat.extend(edi_flat_ctes(cte.chain.ctes)) -%}
            {%- do flat.append({'name': cte.name, 'sql': cte.chain.select, 'stage': cte.stage | default(false)}) -%}
        {%- else -%}
            {%- do flat.append(cte) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(flat) }}
{%- endmacro %}

{#- The CTEs of ctes (in order) that sql reads, directly or through each other: a stage's statement
    defines only those (a name read is any word of the SQL equal to it, so at worst one too many). -#}
{% macro edi_ctes_read(ctes, sql) -%}
    {%- set words = modules.re.findall('\\w+', sql) -%}
    {%- set read = [] -%}
    {%- for cte in ctes | reverse -%}
        {%- if cte.name in words -%}
            {%- do read.insert(0, cte) -%}
            {%- do words.extend(modules.re.findall('\\w+', cte.sql)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(read) }}
{%- endmacro %}

{% macro edi_staged_chain(chain) -%}
    {%- set defined = [] -%}
    {%- for cte in edi_flat_ctes(chain.ctes) -%}
        {%- if cte.stage | default(false) %}
-- edi_stage {{ cte.name }}
{{ edi_with_clause(edi_ctes_read(defined, cte.sql) + [cte]) }}
select * from {{ cte.name }}
            {%- do defined.append({'name': cte.name, 'sql': 'select * from ' ~ edi_stage_relation(cte.name)}) -%}
        {%- else -%}
            {%- do defined.append(cte) -%}
        {%- endif -%}
    {%- endfor %}
-- edi_stage_result
{{ edi_with_clause(edi_ctes_read(defined, chain.select)) }}
{{ chain.select }}
{%- endmacro %}

{#- Every stage's statement (name, sql) and the model's own query, from the compiled SQL. -#}
{% macro edi_split_stages(compiled_sql) -%}
    {%- set parts = modules.re.split('^-- edi_stage(?: (\\w+)|_result)[ \\t]*$', compiled_sql, flags=modules.re.M) -%}
    {#- parts: text before the first marker, then (stage name or none, its statement) per marker -#}
    {%- if parts | length < 3 or parts[-2] is not none or (parts[1:-2] | select('none') | list) -%}
        {{ exceptions.raise_compiler_error("table_in_stages: " ~ this ~ " has no stages ending in its result (render its SQL with edi_cte_chain)") }}
    {%- endif -%}
    {%- if modules.re.sub('--[^\\n]*', '', parts[0]) | trim -%}
        {{ exceptions.raise_compiler_error("table_in_stages: " ~ this ~ " has SQL before its first stage, which would not run") }}
    {%- endif -%}
    {%- set stages = [] -%}
    {%- for i in range(1, parts | length - 2, 2) -%}
        {%- do stages.append((parts[i], parts[i + 1])) -%}
    {%- endfor -%}
    {{ return({'stages': stages, 'result': parts[-1]}) }}
{%- endmacro %}

{% materialization table_in_stages, default %}
  {%- set split = edi_split_stages(compiled_code) -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
  {%- set backup_relation = make_backup_relation(target_relation, 'table' if existing_relation is none else existing_relation.type) -%}
  {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
  {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {#- (plain create table as: the model's contract is for the model, not for its stages) -#}
  {%- for name, sql in split.stages %}
    {{ adapter.drop_relation(edi_stage_relation(name)) }}
    {% call statement('stage_' ~ name) -%}
      create table {{ edi_stage_relation(name) }} as
      {{ sql }}
    {%- endcall %}
  {%- endfor %}
  {% call statement('main') -%}
    {{ get_create_table_as_sql(False, intermediate_relation, split.result) }}
  {%- endcall %}
  {%- for name, sql in split.stages %}
    {{ adapter.drop_relation(edi_stage_relation(name)) }}
  {%- endfor %}

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
