with source as (
    select * from {{ source('raw', 'ods_trust') }}
),

renamed as (
    select
        upper(nullif(trim(organisation_code), '')) as trust_code,
        nullif(trim(organisation_name), '') as trust_name,
        upper(nullif(trim(national_grouping), '')) as nhs_region_code,
        upper(nullif(trim(high_level_health_geography), '')) as icb_ods_code,
        upper(nullif(trim(gor_code), '')) as gor_code,
        nullif(trim(address_line_1), '') as address_line_1,
        nullif(trim(address_line_2), '') as address_line_2,
        nullif(trim(address_line_3), '') as address_line_3,
        nullif(trim(address_line_4), '') as address_line_4,
        nullif(trim(address_line_5), '') as address_line_5,
        upper(nullif(trim(postcode), '')) as postcode,
        nullif(trim(contact_telephone_number), '') as telephone_number,
        cast(open_date as date) as open_date,
        cast(close_date as date) as close_date,
        trim(amended_record_indicator) = '1' as is_amended_record,
        _source_file,
        _row_number
    from source
)

select * from renamed
