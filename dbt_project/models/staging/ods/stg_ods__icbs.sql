with source as (
    select * from {{ source('raw', 'ods_icb') }}
),

renamed as (
    select
        upper(nullif(trim(icb_ods_code), '')) as icb_ods_code,
        upper(nullif(trim(icb_ons_code), '')) as icb_ons_code,
        nullif(trim(icb_name), '') as icb_name,
        cast(object_id as int) as object_id,
        _source_file,
        _row_number
    from source
)

select * from renamed
