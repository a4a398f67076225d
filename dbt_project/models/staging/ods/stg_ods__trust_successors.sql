with source as (
    select * from {{ source('raw', 'ods_trust_successor') }}
),

renamed as (
    select
        upper(nullif(trim(old_code), '')) as predecessor_code,
        upper(nullif(trim(new_code), '')) as successor_code,
        cast(succession_date as date) as succession_date,
        upper(trim(old_code)) = upper(trim(new_code)) as is_self_succession,
        _source_file,
        _row_number
    from source
)

select * from renamed
