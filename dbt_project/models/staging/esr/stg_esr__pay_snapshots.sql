with source as (
    select * from {{ source('raw', 'esr_pay') }}
),

renamed as (
    select
        employee_number as employee_key,
        assignment_number as assignment_key,
        upper(nullif(trim(organisation_code), '')) as organisation_code,
        cast(snapshot_date as date) as snapshot_date,
        {{ contract_cast('esr_pay', 'ordinary_hourly_pay') }} as ordinary_hourly_pay,
        {{ contract_cast('esr_pay', 'bonus_pay') }} as bonus_pay,
        upper(trim(full_pay_relevant_employee)) = 'Y' as is_full_pay_relevant,
        _source_file,
        _row_number
    from source
)

select * from renamed
