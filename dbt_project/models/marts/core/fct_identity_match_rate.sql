-- Identity match rates of the event facts that join to staff versions (ER cases, Datix incidents, ARCP
-- reviews of doctors in training), per source, trust and
-- reporting year: rows, rows matched by employee number and by work email, unmatched rows by reason.
with events as (
    select
        'er_case' as source,
        organisation_code,
        entry_fy_end as fy_end,
        match_method,
        unmatched_reason,
        false as is_rejected
    from {{ ref('fct_er_case') }}

    union all

    select
        'datix_incident' as source,
        organisation_code,
        incident_fy_end as fy_end,
        match_method,
        unmatched_reason,
        is_rejected
    from {{ ref('fct_staff_incident') }}

    union all

    -- doctors in training: each ARCP review matched to ESR by employee number at the employing trust
    select
        'tis_arcp_outcome' as source,
        organisation_code,
        review_fy_end as fy_end,
        match_method,
        unmatched_reason,
        false as is_rejected
    from {{ ref('fct_arcp_outcome') }}
),

counted as (
    select
        source,
        organisation_code,
        fy_end,
        count(*) as row_count,
        sum(case when match_method = 'employee_number' then 1 else 0 end) as matched_employee_number,
        sum(case when match_method = 'work_email' then 1 else 0 end) as matched_work_email,
        sum(case when unmatched_reason = 'no_staff_identified' then 1 else 0 end) as unmatched_no_staff_identified,
        sum(case when unmatched_reason = 'no_identifier' then 1 else 0 end) as unmatched_no_identifier,
        sum(case when unmatched_reason = 'employee_not_found' then 1 else 0 end) as unmatched_employee_not_found,
        sum(case when unmatched_reason = 'email_not_found' then 1 else 0 end) as unmatched_email_not_found,
        sum(case when unmatched_reason = 'no_version_at_date' then 1 else 0 end) as unmatched_no_version_at_date,
        sum(case when is_rejected then 1 else 0 end) as rejected_row_count
    from events
    group by source, organisation_code, fy_end
)

select
    cast(source as {{ dbt.type_string() }}) as source,
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(fy_end as date) as fy_end,
    cast(row_count as bigint) as row_count,
    cast(matched_employee_number as bigint) as matched_employee_number,
    cast(matched_work_email as bigint) as matched_work_email,
    cast(matched_employee_number + matched_work_email as bigint) as matched_total,
    cast(unmatched_no_staff_identified as bigint) as unmatched_no_staff_identified,
    cast(unmatched_no_identifier as bigint) as unmatched_no_identifier,
    cast(unmatched_employee_not_found as bigint) as unmatched_employee_not_found,
    cast(unmatched_email_not_found as bigint) as unmatched_email_not_found,
    cast(unmatched_no_version_at_date as bigint) as unmatched_no_version_at_date,
    cast(rejected_row_count as bigint) as rejected_row_count,
    cast(
        cast(matched_employee_number + matched_work_email as double)
        / nullif(cast(row_count - unmatched_no_staff_identified as double), 0)
        as double
    ) as match_rate
from counted
