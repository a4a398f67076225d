with source as (
    select * from {{ source('raw', 'esr_pay') }}
),

renamed as (
    select
        employee_number as employee_key,
        assignment_number as assignment_key,
        upper(nullif(trim(organisation_code), '')) as organisation_code,
        cast(snapshot_date as date) as snapshot_date,
        cast(ordinary_hourly_pay as decimal(10, 2)) as ordinary_hourly_pay,
        cast(bonus_pay as decimal(12, 2)) as bonus_pay,
        upper(trim(full_pay_relevant_employee)) = 'Y' as is_full_pay_relevant,
        _source_file,
        _row_number
    from source
)

select * from renamed
