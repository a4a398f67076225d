with source as (
    select * from {{ source('raw', 'trac_application') }}
),

renamed as (
    select
        application_id as application_key,
        applicant_id as applicant_key,
        upper(nullif(trim(organisation_code), '')) as organisation_code,
        nullif(trim(vacancy_reference), '') as vacancy_reference,
        upper(nullif(trim(staff_group), '')) as staff_group,
        upper(nullif(trim(band), '')) as band,
        upper(nullif(trim(job_type), '')) as job_type,
        upper(trim(internal_external)) = 'INTERNAL' as is_internal_applicant,
        nullif(trim(ethnicity), '') as ethnicity,
        nullif(trim(disability), '') as disability,
        nullif(trim(sex), '') as sex,
        upper(nullif(trim(stage_reached), '')) as stage_reached,
        cast(application_date as date) as application_date,
        cast(shortlisting_date as date) as shortlisting_date,
        cast(interview_date as date) as interview_date,
        cast(offer_date as date) as offer_date,
        cast(appointed_date as date) as appointed_date,
        cast(withdrawn_date as date) as withdrawn_date,
        _source_file,
        _row_number
    from source
),

standardised as (
    select
        application_key,
        applicant_key,
        organisation_code,
        vacancy_reference,
        staff_group,
        band,
        job_type,
        is_internal_applicant,
        ethnicity,
        disability,
        upper(disability) as disability_code,
        sex,
        upper(sex) as sex_code,
        stage_reached,
        application_date,
        shortlisting_date,
        interview_date,
        offer_date,
        appointed_date,
        withdrawn_date,
        _source_file,
        _row_number
    from renamed
)

select * from standardised
