{{ config(contract={'enforced': true}) }}

-- fct_exam_attempt: one row per postgraduate exam sitting, with the trainee version in force on the
-- exam date - or, for a sitting before the trainee's first ARCP review, the trainee's first version
-- (the equality attributes are the same on every version) - and whether it was a first attempt.
with attempts as (
    select * from {{ ref('stg_tis__exam_attempts') }}
),

trainees as (
    select
        trainee_version_key,
        trainee_key,
        valid_from,
        valid_to,
        row_number() over (partition by trainee_key order by valid_from asc nulls last,
            trainee_version_key asc nulls last) as version_order
    from {{ ref('dim_trainee') }}
    where not is_unknown_member
),

exams as (
    select exam_code from {{ ref('ref_exam') }}
),

organisations as (
    select trust_code from {{ ref('dim_organisation') }}
),

dates as (
    select date_key, fy_end from {{ ref('dim_date') }}
),

resolved as (
    select
        a.trainee_key,
        coalesce(at_date.trainee_version_key, first_version.trainee_version_key, '-1') as trainee_version_key,
        case
            when at_date.trainee_version_key is not null then 'version_at_date'
            when first_version.trainee_version_key is not null then 'first_version'
            else 'no_arcp_record'
        end as trainee_match,
        coalesce(o.trust_code, 'UNKNOWN') as organisation_code,
        a.organisation_code as source_organisation_code,
        coalesce(e.exam_code, '-1') as exam_key,
        a.exam_code,
        a.exam_date,
        d.fy_end as exam_fy_end,
        a.attempt_number,
        a.attempt_number = 1 as is_first_attempt,
        a.is_pass
    from attempts as a
    left join trainees as at_date
        on a.trainee_key = at_date.trainee_key
        and a.exam_date >= at_date.valid_from
        and a.exam_date <= at_date.valid_to
    left join trainees as first_version
        on a.trainee_key = first_version.trainee_key
        and first_version.version_order = 1
    left join exams as e on a.exam_code = e.exam_code
    left join organisations as o on a.organisation_code = o.trust_code
    left join dates as d on a.exam_date = d.date_key
)

select
    cast(trainee_key as {{ dbt.type_string() }}) as trainee_key,
    cast(trainee_version_key as {{ dbt.type_string() }}) as trainee_version_key,
    cast(trainee_match as {{ dbt.type_string() }}) as trainee_match,
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(source_organisation_code as {{ dbt.type_string() }}) as source_organisation_code,
    cast(exam_key as {{ dbt.type_string() }}) as exam_key,
    cast(exam_code as {{ dbt.type_string() }}) as exam_code,
    cast(exam_date as date) as exam_date_key,
    cast(exam_fy_end as date) as exam_fy_end,
    cast(attempt_number as int) as attempt_number,
    cast(is_first_attempt as boolean) as is_first_attempt,
    cast(is_pass as boolean) as is_pass
from resolved
