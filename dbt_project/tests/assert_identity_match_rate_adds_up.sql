{{ config(meta={'dagster': {'ref': {'name': 'fct_identity_match_rate'}}}) }}
-- Every fct_identity_match_rate row adds up (matched + unmatched by reason = rows), and its totals
-- equal the row counts of fct_er_case and fct_staff_incident (returns mismatches).
with per_row as (
    select source, organisation_code, fy_end
    from {{ ref('fct_identity_match_rate') }}
    where row_count <> matched_employee_number + matched_work_email
        + unmatched_no_staff_identified + unmatched_no_identifier
        + unmatched_employee_not_found + unmatched_email_not_found + unmatched_no_version_at_date
),

totals as (
    select
        source,
        sum(row_count) as rate_rows
    from {{ ref('fct_identity_match_rate') }}
    group by source
),

facts as (
    select 'er_case' as source, count(*) as fact_rows from {{ ref('fct_er_case') }}
    union all
    select 'datix_incident' as source, count(*) as fact_rows from {{ ref('fct_staff_incident') }}
)

select source, organisation_code, fy_end from per_row
union all
select f.source, cast(null as {{ dbt.type_string() }}) as organisation_code, cast(null as date) as fy_end
from facts as f
left join totals as t on f.source = t.source
where coalesce(t.rate_rows, 0) <> f.fact_rows
