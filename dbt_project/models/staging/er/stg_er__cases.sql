with source as (
    select * from {{ source('raw', 'er_case') }}
),

renamed as (
    select
        upper(nullif(trim(case_reference), '')) as case_reference,
        upper(nullif(trim(organisation_code), '')) as organisation_code,
        employee_number as employee_key,
        nullif(trim(case_type), '') as case_type,
        cast(date_opened as date) as opened_date,
        cast(formal_stage_start_date as date) as formal_stage_start_date,
        cast(date_closed as date) as closed_date,
        upper(nullif(trim(stage), '')) as stage,
        upper(nullif(trim(outcome), '')) as outcome,
        _source_file,
        _row_number
    from source
),

standardised as (
    select
        case_reference,
        organisation_code,
        employee_key,
        case_type,
        upper(case_type) as case_type_code,
        opened_date,
        formal_stage_start_date,
        closed_date,
        stage,
        outcome,
        _source_file,
        _row_number
    from renamed
)

select * from standardised
