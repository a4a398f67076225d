{#- Large fact, incremental by organisation and application month: an incremental run deletes and rebuilds
    the rows of each organisation whose trac_application deliveries changed, from the earliest changed
    date on (see macros/edi_fact_helpers.sql). -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'application_date_key', ['trac_application'],
    partition_by=(['application_month'] if target.type == 'spark' else none),
    file_format=('parquet' if target.type == 'spark' else none))) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

with applications as (
    select * from {{ ref('stg_trac__applications') }}
    {% if is_incremental() %}
    where {{ edi_in_change_scope('upper(trim(organisation_code))', 'application_date', ['trac_application']) }}
    {% endif %}
),

-- Trac sends ethnicity as labels only: resolve label -> ethnic category code with the label seed.
ethnicity_labels as (
    select
        ethnicity_label,
        ethnic_category_code
    from {{ ref('ref_ethnicity_label_map') }}
    where label_level = 'ethnic_category'
),

organisations as (
    select trust_code from {{ ref('dim_organisation') }}
),

ethnicities as (
    select ethnicity_key from {{ ref('dim_ethnicity') }}
),

disabilities as (
    select disability_key from {{ ref('dim_disability') }}
),

sexes as (
    select sex_key from {{ ref('dim_sex') }}
),

pay_grades as (
    select pay_grade_key from {{ ref('dim_pay_grade') }}
),

dates as (
    select date_key, fy_end from {{ ref('dim_date') }}
),

resolved as (
    select
        a.application_key,
        a.applicant_key,
        coalesce(o.trust_code, 'UNKNOWN') as organisation_code,
        a.vacancy_reference,
        a.staff_group,
        a.job_type,
        coalesce(pg.pay_grade_key, '-1') as pay_grade_key,
        coalesce(e.ethnicity_key, '-1') as ethnicity_key,
        coalesce(d.disability_key, '-1') as disability_key,
        coalesce(s.sex_key, '-1') as sex_key,
        a.is_internal_applicant,
        a.stage_reached,
        a.shortlisting_date is not null as is_shortlisted,
        a.interview_date is not null as is_interviewed,
        a.offer_date is not null as is_offered,
        a.appointed_date is not null as is_appointed,
        a.withdrawn_date is not null as is_withdrawn,
        a.application_date,
        a.shortlisting_date,
        a.interview_date,
        a.offer_date,
        a.appointed_date,
        a.withdrawn_date,
        sd.fy_end as shortlisting_fy_end,
        ad.fy_end as application_fy_end
    from applications as a
    left join organisations as o
        on a.organisation_code = o.trust_code
    left join pay_grades as pg
        on a.band = pg.pay_grade_key
    left join ethnicity_labels as el
        on upper(a.ethnicity) = el.ethnicity_label
    left join ethnicities as e
        on el.ethnic_category_code = e.ethnicity_key
    left join disabilities as d
        on a.disability_code = d.disability_key
    left join sexes as s
        on a.sex_code = s.sex_key
    left join dates as sd
        on a.shortlisting_date = sd.date_key
    left join dates as ad
        on a.application_date = ad.date_key
)

select
    cast(application_key as {{ dbt.type_string() }}) as application_key,
    cast(applicant_key as {{ dbt.type_string() }}) as applicant_key,
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(vacancy_reference as {{ dbt.type_string() }}) as vacancy_reference,
    cast(staff_group as {{ dbt.type_string() }}) as staff_group,
    cast(job_type as {{ dbt.type_string() }}) as job_type,
    cast(pay_grade_key as {{ dbt.type_string() }}) as pay_grade_key,
    cast(ethnicity_key as {{ dbt.type_string() }}) as ethnicity_key,
    cast(disability_key as {{ dbt.type_string() }}) as disability_key,
    cast(sex_key as {{ dbt.type_string() }}) as sex_key,
    cast(is_internal_applicant as boolean) as is_internal,
    cast(stage_reached as {{ dbt.type_string() }}) as stage_reached,
    cast(is_shortlisted as boolean) as is_shortlisted,
    cast(is_interviewed as boolean) as is_interviewed,
    cast(is_offered as boolean) as is_offered,
    cast(is_appointed as boolean) as is_appointed,
    cast(is_withdrawn as boolean) as is_withdrawn,
    cast(application_date as date) as application_date_key,
    cast(shortlisting_date as date) as shortlisting_date_key,
    cast(interview_date as date) as interview_date_key,
    cast(offer_date as date) as offer_date_key,
    cast(appointed_date as date) as appointed_date_key,
    cast(withdrawn_date as date) as withdrawn_date_key,
    cast(shortlisting_fy_end as date) as shortlisting_fy_end,
    cast(application_fy_end as date) as application_fy_end,
    {{ edi_month_start_of('application_date') }} as application_month
from resolved
