with source as (
    select * from {{ source('raw', 'imd2019_ltla') }}
),

renamed as (
    select
        upper(nullif(trim(ltla23_code), '')) as ltla23_code,
        cast(imd_score as double) as imd_score,
        cast(imd_proportion as double) as imd_proportion,
        cast(imd_extent as double) as imd_extent,
        cast(income_score as double) as income_score,
        cast(income_proportion as double) as income_proportion,
        cast(income_extent as double) as income_extent,
        cast(employment_score as double) as employment_score,
        cast(employment_proportion as double) as employment_proportion,
        cast(employment_extent as double) as employment_extent,
        cast(education_score as double) as education_score,
        cast(education_proportion as double) as education_proportion,
        cast(education_extent as double) as education_extent,
        cast(health_score as double) as health_score,
        cast(health_proportion as double) as health_proportion,
        cast(health_extent as double) as health_extent,
        cast(crime_score as double) as crime_score,
        cast(crime_proportion as double) as crime_proportion,
        cast(crime_extent as double) as crime_extent,
        cast(housing_and_access_score as double) as housing_and_access_score,
        cast(housing_and_access_proportion as double) as housing_and_access_proportion,
        cast(housing_and_access_extent as double) as housing_and_access_extent,
        cast(environment_score as double) as environment_score,
        cast(environment_proportion as double) as environment_proportion,
        cast(environment_extent as double) as environment_extent,
        _source_file,
        _row_number
    from source
)

select * from renamed
