{{ config(contract={'enforced': true}) }}

-- Survey-based indicators (spec §5): WRES 5-8 (BME vs White), WDES 4a-9a (Disabled vs non-disabled),
-- HIA6 6a/6b (every characteristic the survey breaks down by) and the Staff Survey Disabled share
-- (declaration rate, spec §4), per trust and reporting year. Only the published aggregates are read,
-- through the versioned question map; combined questions arrive pre-combined and are never summed.
with question_map as (
    select survey_year, standard, indicator_code, measure_id, question_codes, fy_end
    from {{ ref('ref_survey_question_map') }}
),

measures as (
    select measure_id, value_unit from {{ ref('ref_measure') }}
),

results as (
    select * from {{ ref('fct_staff_survey_result') }}
),

disabilities as (
    select disability_key, disability_status from {{ ref('dim_disability') }}
),

sexes as (
    select sex_key, sex from {{ ref('dim_sex') }}
),

-- The groups each standard reports, and the reference group each protected group is compared with.
standard_groups as (
    select
        cast('WRES' as {{ dbt.type_string() }}) as standard,
        cast('ethnicity' as {{ dbt.type_string() }}) as group_dimension,
        cast('BME' as {{ dbt.type_string() }}) as group_value,
        cast('White' as {{ dbt.type_string() }}) as reference_group
    union all select 'WRES', 'ethnicity', 'White', null
    union all select 'WRES', 'all', 'all', null
    union all select 'WDES', 'disability', 'Disabled', 'Non-disabled'
    union all select 'WDES', 'disability', 'Non-disabled', null
    union all select 'WDES', 'all', 'all', null
    union all select 'HIA6', 'ethnicity', 'BME', 'White'
    union all select 'HIA6', 'ethnicity', 'White', null
    union all select 'HIA6', 'disability', 'Disabled', 'Non-disabled'
    union all select 'HIA6', 'disability', 'Non-disabled', null
    union all select 'HIA6', 'sex', 'Female', 'Male'
    union all select 'HIA6', 'sex', 'Male', null
    union all select 'HIA6', 'all', 'all', null
),

-- Survey groups in the warehouse's vocabulary. BME is the survey's own aggregate row (its parts,
-- Asian, Black, ..., overlap it); not-stated groups are not compared.
grouped as (
    select
        r.survey_year,
        r.organisation_code,
        r.question_number,
        case when r.breakdown = 'overall' then 'all' else r.breakdown end as group_dimension,
        case
            when r.breakdown = 'overall' then 'all'
            when r.breakdown = 'ethnicity' and r.breakdown_group in ('WHITE', 'BME') then r.wres_group
            when r.breakdown = 'disability' then d.disability_status
            when r.breakdown = 'sex' then s.sex
        end as group_value,
        r.respondents,
        -- a feed giving only percentages has positive derived as round(share x respondents) (spec §5)
        coalesce(r.positive, cast(round(r.positive_share * r.respondents, 0) as int)) as positive,
        (r.positive is null and r.positive_share is not null) as positive_derived,
        cast(r.score as double) as score,
        r.measure_type,
        r.is_suppressed
    from results as r
    left join disabilities as d
        on r.disability_key = d.disability_key
    left join sexes as s
        on r.sex_key = s.sex_key
),

indicator_groups as (
    select
        m.measure_id,
        m.standard,
        m.indicator_code,
        m.survey_year,
        m.fy_end,
        m.question_codes,
        g.organisation_code,
        g.group_dimension,
        g.group_value,
        sg.reference_group,
        g.respondents,
        g.positive,
        g.positive_derived,
        g.score,
        g.measure_type,
        g.is_suppressed
    from question_map as m
    inner join grouped as g
        on m.survey_year = g.survey_year
        and m.question_codes = g.question_number
    inner join standard_groups as sg
        on m.standard = sg.standard
        and g.group_dimension = sg.group_dimension
        and g.group_value = sg.group_value
),

-- Survey Disabled share: Disabled respondents out of those answering Disabled or non-disabled,
-- null when either group is suppressed.
declaration as (
    select
        m.measure_id,
        m.standard,
        m.indicator_code,
        m.survey_year,
        m.fy_end,
        m.question_codes,
        g.organisation_code,
        'disability' as group_dimension,
        'Disabled' as group_value,
        cast(null as {{ dbt.type_string() }}) as reference_group,
        case when count(g.respondents) = 2 then sum(g.respondents) end as respondents,
        case
            when count(g.respondents) = 2 then sum(case when g.group_value = 'Disabled' then g.respondents end)
        end as positive,
        false as positive_derived,
        cast(null as double) as score,
        'percent_positive' as measure_type,
        {{ dbt.bool_or('g.is_suppressed') }} as is_suppressed
    from question_map as m
    inner join grouped as g
        on m.survey_year = g.survey_year
        and m.question_codes = g.question_number
    where m.standard = 'DECL'
        and g.group_dimension = 'disability'
        and g.group_value in ('Disabled', 'Non-disabled')
    group by
        m.measure_id, m.standard, m.indicator_code, m.survey_year, m.fy_end, m.question_codes,
        g.organisation_code
),

valued as (
    select
        u.*,
        case
            when u.measure_type = 'score' then u.score
            else cast(100.0 * u.positive as double) / nullif(u.respondents, 0)
        end as value
    from (
        select * from indicator_groups
        union all
        select * from declaration
    ) as u
)

select
    cast(v.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(v.fy_end as date) as fy_end,
    cast(v.survey_year as int) as survey_year,
    cast(v.measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(v.standard as {{ dbt.type_string() }}) as standard,
    cast(v.indicator_code as {{ dbt.type_string() }}) as indicator_code,
    cast(v.question_codes as {{ dbt.type_string() }}) as question_codes,
    cast(v.group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(v.group_value as {{ dbt.type_string() }}) as group_value,
    -- WDES 8 is asked of Disabled staff only: no reference row, so no comparison
    cast(case when r.group_value is not null then v.reference_group end as {{ dbt.type_string() }}) as reference_group,
    cast(v.respondents as int) as respondents,
    cast(v.positive as int) as positive,
    cast(v.value as double) as value,
    cast(ms.value_unit as {{ dbt.type_string() }}) as value_unit,
    cast(r.respondents as int) as reference_respondents,
    cast(r.positive as int) as reference_positive,
    cast(r.value as double) as reference_value,
    cast(v.value - r.value as double) as difference_vs_reference,
    cast(coalesce(v.respondents < {{ var('sdc_min_respondents') }}, true) as boolean) as flag_small_base,
    cast(v.is_suppressed as boolean) as is_suppressed,
    cast(v.positive_derived as boolean) as positive_derived
from valued as v
inner join measures as ms
    on v.measure_id = ms.measure_id
left join valued as r
    on v.organisation_code = r.organisation_code
    and v.fy_end = r.fy_end
    and v.measure_id = r.measure_id
    and v.group_dimension = r.group_dimension
    and v.reference_group = r.group_value
