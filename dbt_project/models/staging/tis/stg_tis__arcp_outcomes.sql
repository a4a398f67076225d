with source as (
    select * from {{ source('raw', 'arcp_outcome') }}
),

renamed as (
    select
        gmc_number as trainee_key,
        employee_number as employee_key,
        upper(nullif(trim(organisation_code), '')) as organisation_code,
        upper(nullif(trim(programme_code), '')) as programme_code,
        upper(nullif(trim(grade), '')) as grade,
        cast(review_date as date) as review_date,
        nullif(trim(outcome_code), '') as outcome_code,
        upper(nullif(trim(pmq_region), '')) as pmq_region,
        nullif(trim(ethnic_origin), '') as ethnic_origin,
        nullif(trim(gender), '') as gender,
        nullif(trim(disability), '') as disability,
        upper(trim(less_than_full_time)) = 'Y' as is_less_than_full_time,
        _source_file,
        _row_number
    from source
),

coded as (
    select
        renamed.*,
        -- as in stg_esr__assignments: "A", "CP", "99", "CP White - Polish" lead with the code
        upper({{ dbt.split_part('ethnic_origin', "' '", 1) }}) as ethnic_origin_leading_token
    from renamed
),

standardised as (
    select
        trainee_key,
        employee_key,
        organisation_code,
        programme_code,
        grade,
        review_date,
        outcome_code,
        pmq_region,
        ethnic_origin,
{{ esr_ethnic_category_codes('ethnic_origin_leading_token') }},
        gender,
        upper(gender) as gender_code,
        disability,
        upper(disability) as disability_code,
        is_less_than_full_time,
        _source_file,
        _row_number
    from coded
)

select * from standardised
