with source as (
    select * from {{ source('raw', 'ods_trust_region') }}
),

renamed as (
    select
        upper(nullif(trim(nhs_trust22_code), '')) as trust_code,
        nullif(trim(nhs_trust22_name), '') as trust_name,
        upper(nullif(trim(nhs_region21_nhs_code), '')) as nhs_region21_ods_code,
        upper(nullif(trim(nhs_region21_ons_code), '')) as nhs_region21_ons_code,
        nullif(trim(nhs_region21_name), '') as nhs_region21_name,
        lower(nullif(trim(status), '')) as trust_status,
        _source_file,
        _row_number
    from source
)

select * from renamed
