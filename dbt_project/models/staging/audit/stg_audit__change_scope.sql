-- The organisations, sources and dates this run's deliveries changed, as landing recorded them: the
-- incremental models rebuild rows from affected_from on. dbt run outside a Dagster run (no EDI_RUN_ID)
-- cannot know what changed, so everything counts as changed.
with scope as (
    select
        upper(organisation_code) as organisation_code,
        source,
        min(affected_from) as affected_from
    from {{ source('audit', 'change_scope') }}
    where run_id = '{{ env_var("EDI_RUN_ID", "") }}'
    group by upper(organisation_code), source
),

outside_a_run as (
    select
        cast('*' as {{ dbt.type_string() }}) as organisation_code,
        cast('*' as {{ dbt.type_string() }}) as source,
        cast('0001-01-01' as date) as affected_from
    where '{{ env_var("EDI_RUN_ID", "") }}' = ''
)

select organisation_code, source, affected_from from scope
union all
select organisation_code, source, affected_from from outside_a_run
