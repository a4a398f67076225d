with source as (
    select * from {{ source('raw', 'geo_lsoa_icb') }}
),

renamed as (
    select
        upper(nullif(trim(lsoa21_code), '')) as lsoa21_code,
        nullif(trim(lsoa21_name), '') as lsoa21_name,
        upper(nullif(trim(sicbl24_code), '')) as sicbl24_ons_code,
        upper(nullif(trim(sicbl24_code_nhs), '')) as sicbl24_ods_code,
        nullif(trim(sicbl24_name), '') as sicbl24_name,
        upper(nullif(trim(icb24_code), '')) as icb24_ons_code,
        upper(nullif(trim(icb24_code_nhs), '')) as icb24_ods_code,
        nullif(trim(icb24_name), '') as icb24_name,
        _source_file,
        _row_number
    from source
)

select * from renamed
