{#- Register the dbt sources as Spark tables over Parquet files exported from a DuckDB warehouse
    (orchestration/spark_target.py writes <parquet_dir>/<schema>/<table>/). Run once before a build:
    dbt run-operation edi_register_parquet_sources --target spark --args '{parquet_dir: ...}'
    Spark only: DuckDB's landing writes these tables itself. -#}
{% macro edi_register_parquet_sources(parquet_dir) -%}
    {%- if target.type != 'spark' -%}
        {{ exceptions.raise_compiler_error('edi_register_parquet_sources is for the spark target, not ' ~ target.type) }}
    {%- endif -%}
    {%- if "'" in parquet_dir or '\\' in parquet_dir -%}
        {{ exceptions.raise_compiler_error('edi_register_parquet_sources: unusable folder name ' ~ parquet_dir) }}
    {%- endif -%}
    {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- do run_query('create database if not exists ' ~ source.schema) -%}
        {%- do run_query('drop table if exists ' ~ source.schema ~ '.' ~ source.identifier) -%}
        {%- do run_query('create table ' ~ source.schema ~ '.' ~ source.identifier ~ ' using parquet location '
            ~ "'" ~ parquet_dir ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'") -%}
    {%- endfor -%}
    {{ log('registered ' ~ graph.sources | length ~ ' source tables from ' ~ parquet_dir, info=true) }}
{%- endmacro %}
