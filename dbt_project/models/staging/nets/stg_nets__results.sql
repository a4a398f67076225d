with source as (
    select * from {{ source('raw', 'nets_result') }}
),

renamed as (
    select
        {{ contract_cast('nets_result', 'survey_year') }} as survey_year,
        upper(nullif(trim(organisation_code), '')) as organisation_code,
        upper(nullif(trim(programme_code), '')) as programme_code,
        upper(nullif(trim(indicator_code), '')) as indicator_code,
        nullif(trim(indicator_text), '') as indicator_text,
        upper(nullif(trim(breakdown), '')) as breakdown,
        upper(nullif(trim(breakdown_group), '')) as breakdown_group,
        {{ contract_cast('nets_result', 'respondents') }} as respondent_count,
        {{ contract_cast('nets_result', 'positive_responses') }} as positive_count,
        -- the publisher blanks both counts of a cell with fewer than 3 respondents; a cell missing
        -- either count cannot give a share, so it counts as suppressed too
        (respondents is null or positive_responses is null) as is_suppressed,
        _source_file,
        _row_number
    from source
)

select * from renamed
