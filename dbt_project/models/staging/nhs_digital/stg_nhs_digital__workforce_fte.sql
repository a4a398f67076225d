with source as (
    select * from {{ source('raw', 'nhsd_workforce_fte') }}
),

renamed as (
    select
        upper(nullif(trim(org_code), '')) as org_code,
        nullif(trim(org_name), '') as org_name,
        nullif(trim(staff_group), '') as staff_group,
        cast(fte as double) as fte,
        cast(fte_known as double) as fte_known,
        cast(fte_non_uk as double) as fte_non_uk,
        _source_file,
        _row_number
    from source
)

select * from renamed
