with source as (
    select * from {{ source('raw', 'geo_ltla_region') }}
),

renamed as (
    select
        upper(nullif(trim(ltla21_code), '')) as ltla21_code,
        nullif(trim(ltla21_name), '') as ltla21_name,
        upper(nullif(trim(region21_code), '')) as region21_code,
        nullif(trim(region21_name), '') as region21_name,
        _source_file,
        _row_number
    from source
)

select * from renamed
