with source as (
    select * from {{ source('raw', 'census_age_sex_ltla') }}
),

renamed as (
    select
        upper(nullif(trim(ltla21_code), '')) as ltla21_code,
        cast(total_population as int) as total_residents,
        cast(total_females as int) as female_residents,
        cast(total_males as int) as male_residents,
        cast(younger_females as int) as females_aged_0_15,
        cast(working_age_females as int) as females_aged_16_64,
        cast(older_females as int) as females_aged_65_74,
        cast(younger_males as int) as males_aged_0_15,
        cast(working_age_males as int) as males_aged_16_64,
        cast(older_males as int) as males_aged_65_74,
        _source_file,
        _row_number
    from source
)

select * from renamed
