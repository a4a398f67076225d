-- One row per employee-relations case, with the member of staff resolved to the staff version in
-- force on the case's entry date: the start of the formal stage, or the date opened for cases that
-- never went formal. ER cases identify staff by employee number only.
with cases as (
    select * from {{ ref('stg_er__cases') }}
),

staff_versions as (
    select
        staff_version_key,
        staff_key,
        organisation_code,
        valid_from,
        valid_to
    from {{ ref('int_staff_versions_historised') }}
),

known_staff as (
    select distinct staff_key from staff_versions
),

case_types as (
    select er_case_type_key, er_case_class from {{ ref('dim_er_case_type') }}
),

organisations as (
    select trust_code from {{ ref('dim_organisation') }}
),

dates as (
    select date_key, fy_end from {{ ref('dim_date') }}
),

entered as (
    select
        cases.*,
        formal_stage_start_date is not null as is_formal,
        coalesce(formal_stage_start_date, opened_date) as entry_date
    from cases
),

-- Versions are non-overlapping per staff member, so at most one matches; the ranking only keeps the
-- grain safe should two ever overlap (same trust first, then the latest version).
candidates as (
    select
        e.case_reference,
        v.staff_key,
        v.staff_version_key,
        row_number() over (
            partition by e.case_reference
            order by
                case when v.organisation_code = e.organisation_code then 0 else 1 end asc nulls last,
                v.valid_from desc nulls last,
                v.staff_version_key asc nulls last
        ) as match_rank
    from entered as e
    inner join staff_versions as v
        on e.employee_key = v.staff_key
        and e.entry_date >= v.valid_from
        and e.entry_date <= v.valid_to
),

matched as (
    select
        e.case_reference,
        coalesce(o.trust_code, 'UNKNOWN') as organisation_code,
        c.staff_key,
        c.staff_version_key,
        case
            when c.staff_version_key is not null then 'employee_number'
            else 'none'
        end as match_method,
        case
            when c.staff_version_key is not null then cast(null as {{ dbt.type_string() }})
            when e.employee_key is null then 'no_identifier'
            when k.staff_key is null then 'employee_not_found'
            else 'no_version_at_date'
        end as unmatched_reason,
        coalesce(t.er_case_type_key, '-1') as er_case_type_key,
        coalesce(t.er_case_class, 'unknown') as er_case_class,
        e.case_type_code,
        e.is_formal,
        e.entry_date,
        ed.fy_end as entry_fy_end,
        e.opened_date,
        e.formal_stage_start_date,
        e.closed_date,
        e.closed_date is null as is_open,
        e.stage,
        e.outcome
    from entered as e
    left join candidates as c
        on e.case_reference = c.case_reference
        and c.match_rank = 1
    left join known_staff as k
        on e.employee_key = k.staff_key
    left join case_types as t
        on e.case_type_code = t.er_case_type_key
    left join organisations as o
        on e.organisation_code = o.trust_code
    left join dates as ed
        on e.entry_date = ed.date_key
)

select
    cast(case_reference as {{ dbt.type_string() }}) as case_reference,
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(staff_key as {{ dbt.type_string() }}) as staff_key,
    cast(staff_version_key as {{ dbt.type_string() }}) as staff_version_key,
    cast(match_method as {{ dbt.type_string() }}) as match_method,
    cast(unmatched_reason as {{ dbt.type_string() }}) as unmatched_reason,
    cast(er_case_type_key as {{ dbt.type_string() }}) as er_case_type_key,
    cast(er_case_class as {{ dbt.type_string() }}) as er_case_class,
    cast(is_formal as boolean) as is_formal,
    cast(formal_stage_start_date as date) as formal_start_date_key,
    cast(opened_date as date) as opened_date_key,
    cast(entry_date as date) as entry_date_key,
    cast(entry_fy_end as date) as entry_fy_end,
    cast(closed_date as date) as closed_date_key,
    cast(is_open as boolean) as is_open,
    cast(stage as {{ dbt.type_string() }}) as stage,
    cast(outcome as {{ dbt.type_string() }}) as outcome
from matched
