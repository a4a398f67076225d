{{ config(contract={'enforced': true}) }}

-- fct_arcp_outcome: one row per ARCP review, with the trainee version in force on the review date, the
-- outcome's counting rule (dim_arcp_outcome) and the trainee matched to ESR: the staff version of the
-- same employee number at the same employing trust on the review date (employee numbers are per
-- trust, so a number from another trust never matches).
with reviews as (
    select * from {{ ref('stg_tis__arcp_outcomes') }}
),

trainees as (
    select trainee_version_key, trainee_key, valid_from, valid_to
    from {{ ref('dim_trainee') }}
    where not is_unknown_member
),

outcomes as (
    select arcp_outcome_key, is_counted, is_non_standard
    from {{ ref('dim_arcp_outcome') }}
    where not is_unknown_member
),

programmes as (
    select programme_key from {{ ref('dim_programme') }} where not is_unknown_member
),

organisations as (
    select trust_code from {{ ref('dim_organisation') }}
),

dates as (
    select date_key, fy_end from {{ ref('dim_date') }}
),

staff_versions as (
    select staff_version_key, staff_key, organisation_code, valid_from, valid_to
    from {{ ref('int_staff_versions_historised') }}
),

known_staff as (
    select distinct staff_key, organisation_code from staff_versions
),

-- versions are non-overlapping per staff member at a trust; the ranking only keeps the grain safe
staff_candidates as (
    select
        r.trainee_key,
        r.organisation_code,
        r.review_date,
        v.staff_key,
        v.staff_version_key,
        row_number() over (
            partition by r.trainee_key, r.organisation_code, r.review_date
            order by v.valid_from desc nulls last, v.staff_version_key asc nulls last
        ) as match_rank
    from reviews as r
    inner join staff_versions as v
        on r.employee_key = v.staff_key
        and r.organisation_code = v.organisation_code
        and r.review_date >= v.valid_from
        and r.review_date <= v.valid_to
),

matched as (
    select
        r.trainee_key,
        coalesce(t.trainee_version_key, '-1') as trainee_version_key,
        coalesce(o.trust_code, 'UNKNOWN') as organisation_code,
        r.organisation_code as source_organisation_code,
        r.review_date,
        d.fy_end as review_fy_end,
        coalesce(p.programme_key, '-1') as programme_key,
        r.grade,
        coalesce(oc.arcp_outcome_key, '-1') as arcp_outcome_key,
        r.outcome_code,
        coalesce(oc.is_counted, false) as is_counted,
        coalesce(oc.is_non_standard, false) as is_non_standard,
        r.is_less_than_full_time,
        sc.staff_key,
        sc.staff_version_key,
        case when sc.staff_version_key is not null then 'employee_number' else 'none' end as match_method,
        case
            when sc.staff_version_key is not null then cast(null as {{ dbt.type_string() }})
            when r.employee_key is null then 'no_identifier'
            when k.staff_key is null then 'employee_not_found'
            else 'no_version_at_date'
        end as unmatched_reason
    from reviews as r
    left join trainees as t
        on r.trainee_key = t.trainee_key
        and r.review_date >= t.valid_from
        and r.review_date <= t.valid_to
    left join staff_candidates as sc
        on r.trainee_key = sc.trainee_key
        and r.organisation_code = sc.organisation_code
        and r.review_date = sc.review_date
        and sc.match_rank = 1
    left join known_staff as k
        on r.employee_key = k.staff_key
        and r.organisation_code = k.organisation_code
    left join outcomes as oc on r.outcome_code = oc.arcp_outcome_key
    left join programmes as p on r.programme_code = p.programme_key
    left join organisations as o on r.organisation_code = o.trust_code
    left join dates as d on r.review_date = d.date_key
)

select
    cast(trainee_key as {{ dbt.type_string() }}) as trainee_key,
    cast(trainee_version_key as {{ dbt.type_string() }}) as trainee_version_key,
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(source_organisation_code as {{ dbt.type_string() }}) as source_organisation_code,
    cast(review_date as date) as review_date_key,
    cast(review_fy_end as date) as review_fy_end,
    cast(programme_key as {{ dbt.type_string() }}) as programme_key,
    cast(grade as {{ dbt.type_string() }}) as grade,
    cast(arcp_outcome_key as {{ dbt.type_string() }}) as arcp_outcome_key,
    cast(outcome_code as {{ dbt.type_string() }}) as outcome_code,
    cast(is_counted as boolean) as is_counted,
    cast(is_non_standard as boolean) as is_non_standard,
    cast(is_less_than_full_time as boolean) as is_less_than_full_time,
    cast(staff_key as {{ dbt.type_string() }}) as staff_key,
    cast(staff_version_key as {{ dbt.type_string() }}) as staff_version_key,
    cast(match_method as {{ dbt.type_string() }}) as match_method,
    cast(unmatched_reason as {{ dbt.type_string() }}) as unmatched_reason
from matched
