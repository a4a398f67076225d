{{ config(contract={'enforced': true}) }}

-- NHS Staff Survey results per survey year, trust, question and breakdown group (aggregates only:
-- never a row per respondent). Question numbers are mapped to stable concepts through the versioned
-- seed ref_survey_question, which also sets the reporting year each survey feeds (spec §1, §5).
with results as (
    select * from {{ ref('stg_staff_survey__results') }}
),

questions as (
    select * from {{ ref('ref_survey_question') }}
),

organisations as (
    select trust_code from {{ ref('dim_organisation') }}
),

sexes as (
    select sex_key, sex_code from {{ ref('dim_sex') }}
),

disabilities as (
    select disability_key, disability_code, disability_status from {{ ref('dim_disability') }}
),

conformed as (
    select
        r.survey_year,
        q.fy_end,
        coalesce(o.trust_code, 'UNKNOWN') as organisation_code,
        r.organisation_code as source_organisation_code,
        r.question_number,
        q.question_concept,
        q.measure_type,
        r.question_text,
        lower(r.breakdown) as breakdown,
        r.breakdown_group,
        case
            when r.breakdown <> 'ETHNICITY' then null
            when r.breakdown_group = 'WHITE' then 'White'
            when r.breakdown_group = 'ASIAN' then 'Asian'
            when r.breakdown_group = 'BLACK' then 'Black'
            when r.breakdown_group = 'MIXED' then 'Mixed or Multiple'
            when r.breakdown_group = 'OTHER' then 'Other'
            when r.breakdown_group = 'NOT STATED' then 'Unknown'
        end as ethnicity_group_5,
        case
            when r.breakdown <> 'ETHNICITY' then null
            when r.breakdown_group = 'WHITE' then 'White'
            when r.breakdown_group in ('ASIAN', 'BLACK', 'MIXED', 'OTHER', 'BME') then 'BME'
            when r.breakdown_group = 'NOT STATED' then 'Unknown'
        end as wres_group,
        case when r.breakdown = 'DISABILITY' then coalesce(d.disability_key, '-1') end as disability_key,
        case when r.breakdown = 'SEX' then coalesce(s.sex_key, '-1') end as sex_key,
        r.respondent_count,
        r.positive_count,
        r.score,
        r.is_suppressed
    from results as r
    left join questions as q
        on r.survey_year = q.survey_year
        and r.question_number = q.question_number
    left join organisations as o
        on r.organisation_code = o.trust_code
    left join disabilities as d
        on r.breakdown = 'DISABILITY' and r.breakdown_group = d.disability_code
    left join sexes as s
        on r.breakdown = 'SEX' and r.breakdown_group = s.sex_code
)

select
    cast(survey_year as int) as survey_year,
    cast(fy_end as date) as fy_end,
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(source_organisation_code as {{ dbt.type_string() }}) as source_organisation_code,
    cast(question_number as {{ dbt.type_string() }}) as question_number,
    cast(question_concept as {{ dbt.type_string() }}) as question_concept,
    cast(measure_type as {{ dbt.type_string() }}) as measure_type,
    cast(question_text as {{ dbt.type_string() }}) as question_text,
    cast(breakdown as {{ dbt.type_string() }}) as breakdown,
    cast(breakdown_group as {{ dbt.type_string() }}) as breakdown_group,
    cast(ethnicity_group_5 as {{ dbt.type_string() }}) as ethnicity_group_5,
    cast(wres_group as {{ dbt.type_string() }}) as wres_group,
    cast(disability_key as {{ dbt.type_string() }}) as disability_key,
    cast(sex_key as {{ dbt.type_string() }}) as sex_key,
    cast(respondent_count as int) as respondents,
    cast(positive_count as int) as positive,
    cast(score as decimal(4, 2)) as score,
    cast(
        -- a double division on both engines (Spark divides decimals to a fixed scale, DuckDB in double)
        case when positive_count is not null then cast(positive_count as double) / nullif(respondent_count, 0) end
        as double
    ) as positive_share,
    cast(is_suppressed as boolean) as is_suppressed
from conformed
