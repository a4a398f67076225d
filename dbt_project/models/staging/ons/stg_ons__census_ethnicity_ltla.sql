with source as (
    select * from {{ source('raw', 'census_ethnicity_ltla') }}
),

renamed as (
    select
        upper(nullif(trim(ltla21_code), '')) as ltla21_code,
        nullif(trim(ltla21_name), '') as ltla21_name,
        nullif(trim(ethnic_group), '') as ethnic_group_label,
        cast(value as decimal(8, 1)) as value,
        _source_file,
        _row_number
    from source
),

-- "White: Irish (number)" -> ethnic_group 'White: Irish' + measure 'number'
unpacked as (
    select
        ltla21_code,
        ltla21_name,
        trim(
            {{ dbt.replace(dbt.replace('ethnic_group_label', "'(number)'", "''"), "'(percent)'", "''") }}
        ) as ethnic_group,
        case
            when ethnic_group_label like '%(number)' then 'number'
            when ethnic_group_label like '%(percent)' then 'percent'
        end as measure,
        value,
        _source_file,
        _row_number
    from renamed
),

-- 'White: Irish' -> broad 'White' + detailed 'Irish'
split as (
    select
        ltla21_code,
        ltla21_name,
        ethnic_group,
        trim({{ dbt.split_part('ethnic_group', "': '", 1) }}) as broad_ethnic_group,
        trim({{ dbt.split_part('ethnic_group', "': '", 2) }}) as detailed_ethnic_group,
        measure,
        value,
        _source_file,
        _row_number
    from unpacked
)

select * from split
