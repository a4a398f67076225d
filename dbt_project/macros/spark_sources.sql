{#- The nightly job on Apache Spark (EDI_ENGINE=spark, orchestration/spark_target.py). DuckDB's landing
    writes the raw and audit tables into the run's DuckDB candidate; the Spark build reads them as Parquet
    exported from it, and hands every table it built back as Parquet, which the job copies into the
    candidate so the checks, publishing, the BI extract and the board report read one DuckDB file as on a
    DuckDB build. Both hooks (dbt_project.yml) do nothing unless the target is Spark and the job named
    the folder in the environment. -#}

{#- on-run-start: register the dbt sources as Spark tables over <parquet_dir>/<schema>/<table>/. -#}
{% macro edi_register_parquet_sources(parquet_dir) -%}
    {%- if target.type != 'spark' -%}
        {{ exceptions.raise_compiler_error('edi_register_parquet_sources is for the spark target, not ' ~ target.type) }}
    {%- endif -%}
    {%- do edi_check_spark_folder(parquet_dir) -%}
    {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- do run_query('create database if not exists ' ~ source.schema) -%}
        {%- do run_query('drop table if exists ' ~ source.schema ~ '.' ~ source.identifier) -%}
        {%- do run_query('create table ' ~ source.schema ~ '.' ~ source.identifier ~ ' using parquet location '
            ~ "'" ~ parquet_dir ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'") -%}
    {%- endfor -%}
    {{ log('registered ' ~ graph.sources | length ~ ' source tables from ' ~ parquet_dir, info=true) }}
{%- endmacro %}

{% macro edi_spark_register_sources_hook() -%}
    {%- set parquet_dir = env_var('EDI_SPARK_SOURCES_DIR', '') -%}
    {%- if execute and target.type == 'spark' and parquet_dir -%}
        {%- do edi_register_parquet_sources(parquet_dir) -%}
    {%- endif -%}
{%- endmacro %}

{#- on-run-end: write every table this build made (models and seeds that are not views or ephemeral)
    to <export_dir>/<schema>/<table>/ as Parquet. Timestamps are written as UTC microseconds. -#}
{% macro edi_spark_export_tables_hook(results) -%}
    {%- set export_dir = env_var('EDI_SPARK_EXPORT_DIR', '') -%}
    {%- if execute and target.type == 'spark' and export_dir -%}
        {%- do edi_check_spark_folder(export_dir) -%}
        {%- do run_query('set spark.sql.parquet.outputTimestampType = TIMESTAMP_MICROS') -%}
        {%- set exported = [] -%}
        {%- for result in results
                if result.status == 'success' and result.node.resource_type in ('model', 'seed')
                and result.node.config.materialized not in ('view', 'ephemeral') -%}
            {%- set node = result.node -%}
            {%- do run_query("insert overwrite directory '" ~ export_dir ~ '/' ~ node.schema ~ '/' ~ node.alias
                ~ "' using parquet select * from " ~ node.schema ~ '.' ~ node.alias) -%}
            {%- do exported.append(node.schema ~ '.' ~ node.alias) -%}
        {%- endfor -%}
        {{ log('exported ' ~ exported | length ~ ' tables to ' ~ export_dir, info=true) }}
    {%- endif -%}
{%- endmacro %}

{% macro edi_check_spark_folder(folder) -%}
    {%- if "'" in folder or '\\' in folder or not folder.startswith('/') -%}
        {{ exceptions.raise_compiler_error('unusable folder name for Spark: ' ~ folder) }}
    {%- endif -%}
{%- endmacro %}
