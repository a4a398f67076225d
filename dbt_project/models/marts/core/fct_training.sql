{#- Incremental by organisation and completion date: an incremental run deletes and rebuilds the rows of each
    organisation whose training_record or esr_assignment deliveries changed, from the earliest changed date on
    (macros/edi_fact_helpers.sql). -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'date_key', ['training_record', 'esr_assignment'],
    contract={'enforced': true})) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- fct_training: non-mandatory training and CPD completions (stg_training__records, is_mandatory false),
-- each linked to the staff version in force on the completion date (as-at rule:
-- valid_from <= completion_date <= valid_to). Without such a version staff_version_key is null and
-- unmatched_reason says why.
with completions as (
    select employee_key, organisation_code, course_code, completion_date, delivery_method
    from {{ ref('stg_training__records') }}
    where not is_mandatory
    {% if is_incremental() %}
        and {{ edi_in_change_scope('organisation_code', 'completion_date', ['training_record', 'esr_assignment']) }}
    {% endif %}
),

versions as (
    select staff_key, staff_version_key, valid_from, valid_to
    from {{ ref('dim_staff') }}
    where not is_unknown_member
),

known_staff as (
    select distinct staff_key from versions
),

matched as (
    select
        c.employee_key,
        c.organisation_code,
        c.course_code,
        c.completion_date,
        c.delivery_method,
        v.staff_version_key,
        case
            when v.staff_version_key is not null then null
            when k.staff_key is null then 'staff_not_in_esr'
            else 'no_version_at_completion_date'
        end as unmatched_reason
    from completions as c
    left join versions as v
        on c.employee_key = v.staff_key
        and c.completion_date between v.valid_from and v.valid_to
    left join known_staff as k
        on c.employee_key = k.staff_key
)

select
    cast({{ dbt.hash(dbt.concat([
        "employee_key", "'|'", "course_code", "'|'", "cast(completion_date as " ~ dbt.type_string() ~ ")"
    ])) }} as {{ dbt.type_string() }}) as training_key,
    cast(employee_key as {{ dbt.type_string() }}) as staff_key,
    cast(staff_version_key as {{ dbt.type_string() }}) as staff_version_key,
    cast(unmatched_reason as {{ dbt.type_string() }}) as unmatched_reason,
    cast(completion_date as date) as date_key,
    cast(course_code as {{ dbt.type_string() }}) as course_code,
    cast(delivery_method as {{ dbt.type_string() }}) as delivery_method,
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code
from matched
