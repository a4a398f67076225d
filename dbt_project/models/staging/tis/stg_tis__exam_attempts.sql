with source as (
    select * from {{ source('raw', 'exam_attempt') }}
),

renamed as (
    select
        gmc_number as trainee_key,
        upper(nullif(trim(organisation_code), '')) as organisation_code,
        upper(nullif(trim(exam_code), '')) as exam_code,
        cast(exam_date as date) as exam_date,
        {{ contract_cast('exam_attempt', 'attempt_number') }} as attempt_number,
        upper(trim(result)) = 'PASS' as is_pass,
        _source_file,
        _row_number
    from source
)

select * from renamed
