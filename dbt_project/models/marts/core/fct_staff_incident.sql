{#- Large fact, incremental by organisation and incident month: an incremental run deletes and rebuilds
    the rows of each organisation whose datix_incident or esr_assignment deliveries changed, from the earliest changed
    date on (see macros/edi_fact_helpers.sql). -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'incident_date_key', ['datix_incident', 'esr_assignment'],
    partition_by=(['incident_month'] if target.type == 'spark' else none),
    file_format=('parquet' if target.type == 'spark' else none))) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- One row per incident and person affected, nothing excluded (REJECT rows are flagged, patient-safety
-- rows without staff kept). The member of staff is matched to the staff version in force on the
-- incident date: first by employee number, then by work email.
with incident_staff as (
    select * from {{ ref('stg_datix__incident_staff') }}
    {% if is_incremental() %}
    where {{ edi_in_change_scope('upper(trim(organisation_code))', 'incident_date', ['datix_incident', 'esr_assignment']) }}
    {% endif %}
),

staff_versions as (
    select
        staff_version_key,
        staff_key,
        organisation_code,
        email_key,
        valid_from,
        valid_to
    from {{ ref('int_staff_versions_historised') }}
),

known_employees as (
    select distinct staff_key from staff_versions
),

known_emails as (
    select distinct email_key from staff_versions where email_key is not null
),

incident_types as (
    select
        incident_type_key,
        incident_type_code,
        category_code,
        subcategory_code,
        conformed_incident_type,
        perpetrator_category
    from {{ ref('dim_incident_type') }}
),

organisations as (
    select trust_code from {{ ref('dim_organisation') }}
),

dates as (
    select date_key, fy_end from {{ ref('dim_date') }}
),

-- Every staff version that could identify the person on the incident date, by either identifier.
candidates as (
    select
        i.incident_ref,
        i.link_seq,
        1 as method_priority,
        'employee_number' as match_method,
        v.staff_key,
        v.staff_version_key,
        v.organisation_code as version_organisation_code,
        v.valid_from
    from incident_staff as i
    inner join staff_versions as v
        on i.employee_key = v.staff_key
        and i.incident_date >= v.valid_from
        and i.incident_date <= v.valid_to

    union all

    select
        i.incident_ref,
        i.link_seq,
        2 as method_priority,
        'work_email' as match_method,
        v.staff_key,
        v.staff_version_key,
        v.organisation_code as version_organisation_code,
        v.valid_from
    from incident_staff as i
    inner join staff_versions as v
        on i.email_key = v.email_key
        and i.incident_date >= v.valid_from
        and i.incident_date <= v.valid_to
),

-- Employee number before email; then the reporting trust's version, then the latest version.
ranked as (
    select
        c.*,
        row_number() over (
            partition by c.incident_ref, c.link_seq
            order by
                c.method_priority asc nulls last,
                case when c.version_organisation_code = i.organisation_code then 0 else 1 end asc nulls last,
                c.valid_from desc nulls last,
                c.staff_version_key asc nulls last
        ) as match_rank
    from candidates as c
    inner join incident_staff as i
        on c.incident_ref = i.incident_ref
        and c.link_seq = i.link_seq
),

matched as (
    select
        i.incident_ref,
        i.link_seq,
        coalesce(o.trust_code, 'UNKNOWN') as organisation_code,
        coalesce(t.incident_type_key, '-1') as incident_type_key,
        coalesce(t.conformed_incident_type, 'other') as conformed_incident_type,
        coalesce(t.perpetrator_category, 'unknown') as perpetrator_category,
        i.perpetrator as reported_perpetrator,
        i.incident_type_code = 'PATIENT SAFETY INCIDENT' as is_patient_safety,
        i.incident_date,
        d.fy_end as incident_fy_end,
        i.reported_date,
        i.harm,
        i.is_discriminatory,
        i.days_lost,
        i.approval_status,
        i.approval_status = 'REJECT' as is_rejected,
        i.employee_key is not null as has_employee_number,
        i.email_key is not null as has_work_email,
        r.staff_key,
        r.staff_version_key,
        coalesce(r.match_method, 'none') as match_method,
        case
            when r.staff_version_key is not null then cast(null as {{ dbt.type_string() }})
            when i.employee_key is null and i.email_key is null then
                case
                    when i.incident_type_code = 'PATIENT SAFETY INCIDENT' then 'no_staff_identified'
                    else 'no_identifier'
                end
            when i.employee_key is not null and ke.staff_key is null
                and (i.email_key is null or km.email_key is null) then 'employee_not_found'
            when i.employee_key is null and km.email_key is null then 'email_not_found'
            else 'no_version_at_date'
        end as unmatched_reason
    from incident_staff as i
    left join ranked as r
        on i.incident_ref = r.incident_ref
        and i.link_seq = r.link_seq
        and r.match_rank = 1
    left join known_employees as ke
        on i.employee_key = ke.staff_key
    left join known_emails as km
        on i.email_key = km.email_key
    left join incident_types as t
        on i.incident_type_code = t.incident_type_code
        and i.category_code = t.category_code
        and i.subcategory_code = t.subcategory_code
    left join organisations as o
        on i.organisation_code = o.trust_code
    left join dates as d
        on i.incident_date = d.date_key
)

select
    cast({{ dbt.concat(["incident_ref", "'-'", "cast(link_seq as " ~ dbt.type_string() ~ ")"]) }} as {{ dbt.type_string() }}) as incident_person_key,
    cast(incident_ref as {{ dbt.type_string() }}) as incident_ref,
    cast(link_seq as int) as link_seq,
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(incident_type_key as {{ dbt.type_string() }}) as incident_type_key,
    cast(conformed_incident_type as {{ dbt.type_string() }}) as conformed_incident_type,
    cast(perpetrator_category as {{ dbt.type_string() }}) as perpetrator_category,
    cast(reported_perpetrator as {{ dbt.type_string() }}) as reported_perpetrator,
    cast(is_patient_safety as boolean) as is_patient_safety,
    cast(incident_date as date) as incident_date_key,
    cast(incident_fy_end as date) as incident_fy_end,
    cast(reported_date as date) as reported_date_key,
    cast(harm as {{ dbt.type_string() }}) as harm,
    cast(is_discriminatory as boolean) as is_discriminatory,
    cast(days_lost as int) as days_lost,
    cast(approval_status as {{ dbt.type_string() }}) as approval_status,
    cast(is_rejected as boolean) as is_rejected,
    cast(has_employee_number as boolean) as has_employee_number,
    cast(has_work_email as boolean) as has_work_email,
    cast(staff_key as {{ dbt.type_string() }}) as staff_key,
    cast(staff_version_key as {{ dbt.type_string() }}) as staff_version_key,
    cast(match_method as {{ dbt.type_string() }}) as match_method,
    cast(unmatched_reason as {{ dbt.type_string() }}) as unmatched_reason,
    {{ edi_month_start_of('incident_date') }} as incident_month
from matched
