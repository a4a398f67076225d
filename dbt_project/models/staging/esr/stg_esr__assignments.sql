with source as (
    select * from {{ source('raw', 'esr_assignment') }}
),

renamed as (
    select
        employee_number as employee_key,
        assignment_number as assignment_key,
        upper(nullif(trim(organisation_code), '')) as organisation_code,
        cast(effective_start_date as date) as effective_start_date,
        cast(effective_end_date as date) as effective_end_date,
        upper(nullif(trim(assignment_status), '')) as assignment_status,
        upper(nullif(trim(assignment_category), '')) as assignment_category,
        upper(trim(primary_assignment)) = 'Y' as is_primary_assignment,
        upper(nullif(trim(staff_group), '')) as staff_group,
        upper(nullif(trim(occupation_code), '')) as occupation_code,
        upper(nullif(trim(payscale), '')) as payscale,
        {{ contract_cast('esr_assignment', 'contracted_wte') }} as contracted_wte,
        nullif(trim(gender), '') as gender,
        cast(date_of_birth as date) as date_of_birth,
        nullif(trim(ethnic_origin), '') as ethnic_origin,
        nullif(trim(disability), '') as disability,
        nullif(trim(religious_belief), '') as religious_belief,
        nullif(trim(sexual_orientation), '') as sexual_orientation,
        cast(hire_date as date) as hire_date,
        cast(termination_date as date) as termination_date,
        upper(nullif(trim(leaving_reason), '')) as leaving_reason,
        work_email as email_key,
        upper(nullif(trim(board_membership), '')) as board_membership,
        _source_file,
        _row_number
    from source
),

coded as (
    select
        renamed.*,
        -- "A", "CP", "99", "CP White - Polish": the leading token is the code; labels start with a word
        upper({{ dbt.split_part('ethnic_origin', "' '", 1) }}) as ethnic_origin_leading_token,
        {{ dbt.datediff('date_of_birth', 'effective_start_date', 'year') }}
            - case
                when extract(month from effective_start_date) * 100 + extract(day from effective_start_date)
                    < extract(month from date_of_birth) * 100 + extract(day from date_of_birth)
                    then 1
                else 0
            end as age_at_effective_start
    from renamed
),

standardised as (
    select
        employee_key,
        assignment_key,
        organisation_code,
        effective_start_date,
        effective_end_date,
        assignment_status,
        assignment_category,
        is_primary_assignment,
        staff_group,
        occupation_code,
        payscale,
        contracted_wte,
        gender,
        upper(gender) as gender_code,
        case
            when age_at_effective_start is null then null
            when age_at_effective_start < 20 then '<20'
            when age_at_effective_start < 25 then '20-24'
            when age_at_effective_start < 30 then '25-29'
            when age_at_effective_start < 35 then '30-34'
            when age_at_effective_start < 40 then '35-39'
            when age_at_effective_start < 45 then '40-44'
            when age_at_effective_start < 50 then '45-49'
            when age_at_effective_start < 55 then '50-54'
            when age_at_effective_start < 60 then '55-59'
            when age_at_effective_start < 65 then '60-64'
            else '65+'
        end as age_band,
        ethnic_origin,
{{ esr_ethnic_category_codes('ethnic_origin_leading_token') }},
        disability,
        upper(disability) as disability_code,
        religious_belief,
        upper(religious_belief) as religious_belief_code,
        sexual_orientation,
        upper(sexual_orientation) as sexual_orientation_code,
        hire_date,
        termination_date,
        leaving_reason,
        email_key,
        board_membership,
        _source_file,
        _row_number
    from coded
)

select * from standardised
