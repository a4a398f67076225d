{{ config(contract={'enforced': true}) }}

-- fct_disability_declaration (metrics-spec §4): ESR records far fewer Disabled staff (~3-5 %) than the
-- Staff Survey finds (~18-23 %), so every disability measure is shown beside these three rates.
-- The survey share is read from the engagement theme, which every respondent contributes to.
with esr as (
    select
        organisation_code, fy_end,
        -- one row per person and 31 March (int_workforce_snapshot_classified's grain): rows are people
        count(*) as esr_headcount,
        sum(case when disability_status = 'Disabled' then 1 else 0 end) as esr_disabled,
        sum(case when disability_status <> 'Unknown' then 1 else 0 end) as esr_known
    from {{ ref('int_workforce_snapshot_classified') }}
    where is_march_31_snapshot and in_wres_population
    group by organisation_code, fy_end
),

survey as (
    select
        s.organisation_code, s.fy_end,
        sum(case when d.disability_status = 'Disabled' then s.respondents else 0 end) as survey_disabled,
        sum(case when d.disability_status <> 'Unknown' then s.respondents else 0 end) as survey_known
    from {{ ref('fct_staff_survey_result') }} as s
    inner join {{ ref('dim_disability') }} as d on s.disability_key = d.disability_key
    where s.breakdown = 'disability' and s.question_concept = 'engagement'
    group by s.organisation_code, s.fy_end
)

select
    cast(e.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(e.fy_end as date) as fy_end,
    cast(e.esr_headcount as bigint) as esr_headcount,
    cast(e.esr_disabled as bigint) as esr_disabled,
    cast(e.esr_known as bigint) as esr_known,
    cast({{ share_pct('e.esr_disabled', 'e.esr_headcount') }} as double) as esr_disabled_share_pct,
    cast({{ share_pct('e.esr_known', 'e.esr_headcount') }} as double) as esr_status_known_rate_pct,
    cast(s.survey_known as bigint) as survey_known_respondents,
    cast(s.survey_disabled as bigint) as survey_disabled_respondents,
    cast({{ share_pct('s.survey_disabled', 's.survey_known') }} as double) as survey_disabled_share_pct
from esr as e
left join survey as s
    on e.organisation_code = s.organisation_code and e.fy_end = s.fy_end
