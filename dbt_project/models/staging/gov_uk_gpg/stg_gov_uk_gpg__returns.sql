with source as (
    select * from {{ source('raw', 'gov_uk_gender_pay_gap') }}
),

renamed as (
    select
        cast(employer_id as int) as employer_id,
        nullif(trim(employer_name), '') as employer_name,
        nullif(trim(current_name), '') as current_employer_name,
        nullif(trim(address), '') as address,
        upper(nullif(trim(post_code), '')) as postcode,
        upper(nullif(trim(company_number), '')) as company_number,
        nullif(
            {{ dbt.replace(dbt.replace(dbt.replace('sic_codes', 'chr(13)', "''"), 'chr(10)', "''"), "' '", "''") }},
            ''
        ) as sic_codes,
        nullif(trim(employer_size), '') as employer_size_band,
        cast(diff_mean_hourly_percent as decimal(7, 1)) as diff_mean_hourly_percent,
        cast(diff_median_hourly_percent as decimal(7, 1)) as diff_median_hourly_percent,
        cast(diff_mean_bonus_percent as decimal(7, 1)) as diff_mean_bonus_percent,
        cast(diff_median_bonus_percent as decimal(7, 1)) as diff_median_bonus_percent,
        cast(male_bonus_percent as decimal(4, 1)) as male_bonus_percent,
        cast(female_bonus_percent as decimal(4, 1)) as female_bonus_percent,
        cast(male_lower_quartile as decimal(4, 1)) as male_lower_quartile_percent,
        cast(female_lower_quartile as decimal(4, 1)) as female_lower_quartile_percent,
        cast(male_lower_middle_quartile as decimal(4, 1)) as male_lower_middle_quartile_percent,
        cast(female_lower_middle_quartile as decimal(4, 1)) as female_lower_middle_quartile_percent,
        cast(male_upper_middle_quartile as decimal(4, 1)) as male_upper_middle_quartile_percent,
        cast(female_upper_middle_quartile as decimal(4, 1)) as female_upper_middle_quartile_percent,
        cast(male_top_quartile as decimal(4, 1)) as male_top_quartile_percent,
        cast(female_top_quartile as decimal(4, 1)) as female_top_quartile_percent,
        nullif(trim(company_link_to_gpg_info), '') as gpg_report_url,
        cast(submitted_after_the_deadline as boolean) as is_late_submission,
        cast(due_date as date) as due_date,
        cast(date_submitted as timestamp) as submitted_at,
        _source_file,
        _row_number
    from source
),

derived as (
    select
        employer_id,
        employer_name,
        current_employer_name,
        address,
        postcode,
        company_number,
        sic_codes,
        employer_size_band,
        diff_mean_hourly_percent,
        diff_median_hourly_percent,
        diff_mean_bonus_percent,
        diff_median_bonus_percent,
        male_bonus_percent,
        female_bonus_percent,
        male_lower_quartile_percent,
        female_lower_quartile_percent,
        male_lower_middle_quartile_percent,
        female_lower_middle_quartile_percent,
        male_upper_middle_quartile_percent,
        female_upper_middle_quartile_percent,
        male_top_quartile_percent,
        female_top_quartile_percent,
        gpg_report_url,
        due_date,
        cast({{ dbt.dateadd('year', -1, 'due_date') }} as date) as snapshot_date,
        {{ dbt.concat([
            "cast(extract(year from due_date) - 1 as " ~ dbt.type_string() ~ ")",
            "'-'",
            dbt.right("cast(extract(year from due_date) as " ~ dbt.type_string() ~ ")", "2")
        ]) }} as reporting_year,
        submitted_at,
        is_late_submission,
        row_number() over (
            partition by employer_id, due_date
            order by submitted_at desc nulls last, _source_file desc nulls last, _row_number desc nulls last
        ) = 1 as is_latest_submission,
        extract(month from due_date) = 3 as is_public_sector,
        upper(coalesce(employer_name, '')) like '%NHS%'
            or upper(coalesce(current_employer_name, '')) like '%NHS%' as is_nhs_name,
        _source_file,
        _row_number
    from renamed
)

select * from derived
