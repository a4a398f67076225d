with source as (
    select * from {{ source('raw', 'geo_trust_stp') }}
),

renamed as (
    select
        upper(nullif(trim(nhs_trust22_code), '')) as trust_code,
        nullif(trim(nhs_trust22_name), '') as trust_name,
        upper(nullif(trim(stp21_code), '')) as stp21_ons_code,
        nullif(trim(stp21_name), '') as stp21_name,
        _source_file,
        _row_number
    from source
)

select * from renamed
