with source as (
    select * from {{ source('raw', 'census_disability_lsoa') }}
),

renamed as (
    select
        upper(nullif(trim(lsoa21_code), '')) as lsoa21_code,
        nullif(trim(disability), '') as disability_category,
        trim(disability) = 'Disabled under the Equality Act' as is_disabled,
        cast(n as int) as residents,
        cast(total_residents as int) as total_residents,
        cast(prop as double) as proportion_of_residents,
        _source_file,
        _row_number
    from source
)

select * from renamed
