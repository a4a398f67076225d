with source as (
    select * from {{ source('raw', 'census_ethnicity_msoa') }}
),

renamed as (
    select
        upper(nullif(trim(msoa21_code), '')) as msoa21_code,
        nullif(trim(ethnic_group), '') as broad_ethnic_group,
        cast(n as int) as residents,
        cast(total_residents as int) as total_residents,
        cast(prop as double) as proportion_of_residents,
        _source_file,
        _row_number
    from source
)

select * from renamed
