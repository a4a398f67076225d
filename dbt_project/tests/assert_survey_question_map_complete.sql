{{ config(meta={'dagster': {'ref': {'name': 'ref_survey_question_map'}}}) }}
-- Spec §5: exactly one ref_survey_question_map row per survey year in use and survey indicator, and
-- every mapped question code carries the mapped concept in that year's questionnaire.
with years_in_use as (
    select distinct survey_year from {{ ref('fct_staff_survey_result') }}
),

survey_measures as (
    select measure_id from {{ ref('ref_measure') }}
    where source_fact = 'fct_staff_survey_result'
),

mapped as (
    select survey_year, measure_id, count(*) as map_rows
    from {{ ref('ref_survey_question_map') }}
    group by survey_year, measure_id
),

coverage as (
    select
        y.survey_year,
        m.measure_id,
        'not exactly one map row' as problem
    from years_in_use as y
    cross join survey_measures as m
    left join mapped as p
        on y.survey_year = p.survey_year
        and m.measure_id = p.measure_id
    where coalesce(p.map_rows, 0) <> 1
),

concepts as (
    select
        qm.survey_year,
        qm.measure_id,
        'question code does not carry the mapped concept that year' as problem
    from {{ ref('ref_survey_question_map') }} as qm
    left join {{ ref('ref_survey_question') }} as q
        on qm.survey_year = q.survey_year
        and qm.question_codes = q.question_number
        and qm.question_concept = q.question_concept
    where q.question_number is null
)

select * from coverage
union all
select * from concepts
