with source as (
    select * from {{ source('raw', 'staff_survey_result') }}
),

renamed as (
    select
        {{ contract_cast('staff_survey_result', 'survey_year') }} as survey_year,
        upper(nullif(trim(organisation_code), '')) as organisation_code,
        lower(nullif(trim(question_number), '')) as question_number,
        nullif(trim(question_text), '') as question_text,
        upper(nullif(trim(breakdown), '')) as breakdown,
        upper(nullif(trim(breakdown_group), '')) as breakdown_group,
        nullif(trim(respondents), '') as respondents_text,
        nullif(trim(positive), '') as positive_text,
        nullif(trim(score), '') as score_text,
        _source_file,
        _row_number
    from source
),

standardised as (
    select
        survey_year,
        organisation_code,
        question_number,
        question_text,
        breakdown,
        breakdown_group,
        -- "-" marks a cell suppressed because fewer than 11 staff answered
        {{ contract_cast('staff_survey_result', 'respondents', "nullif(respondents_text, '-')") }} as respondent_count,
        {{ contract_cast('staff_survey_result', 'positive', "nullif(positive_text, '-')") }} as positive_count,
        {{ contract_cast('staff_survey_result', 'score', "nullif(score_text, '-')") }} as score,
        coalesce(respondents_text = '-' or positive_text = '-' or score_text = '-', false) as is_suppressed,
        _source_file,
        _row_number
    from renamed
)

select * from standardised
