with source as (
    select * from {{ source('raw', 'training_record') }}
),

renamed as (
    select
        employee_number as employee_key,
        upper(nullif(trim(organisation_code), '')) as organisation_code,
        upper(nullif(trim(course_code), '')) as course_code,
        nullif(trim(course_title), '') as course_title,
        upper(trim(mandatory)) = 'Y' as is_mandatory,
        cast(completion_date as date) as completion_date,
        upper(nullif(trim(delivery_method), '')) as delivery_method,
        _source_file,
        _row_number
    from source
)

select * from renamed
