{{ config(contract={'enforced': true}) }}

-- fct_nets_result: National Education and Training Survey results per survey year, trust, programme,
-- indicator and breakdown group (aggregates only: never a row per respondent), with the groups
-- conformed to the warehouse's labels. Survey year N feeds the financial year ending 31 March N+1
-- (metrics-spec §1 [NV]). Cells the publisher suppressed keep their row, with null counts.
with results as (
    select * from {{ ref('stg_nets__results') }}
),

organisations as (
    select trust_code from {{ ref('dim_organisation') }}
),

programmes as (
    select programme_key from {{ ref('dim_programme') }} where not is_unknown_member
),

conformed as (
    select
        r.survey_year,
        cast({{ dbt.concat(['cast(r.survey_year + 1 as ' ~ dbt.type_string() ~ ')', "'-03-31'"]) }} as date) as fy_end,
        coalesce(o.trust_code, 'UNKNOWN') as organisation_code,
        r.organisation_code as source_organisation_code,
        coalesce(p.programme_key, '-1') as programme_key,
        r.programme_code,
        r.indicator_code,
        r.indicator_text,
        case r.breakdown
            when 'ALL' then 'all'
            when 'ETHNICITY' then 'ethnicity'
            when 'PMQ' then 'pmq'
            when 'SEX' then 'sex'
            when 'DISABILITY' then 'disability'
        end as group_dimension,
        case
            when r.breakdown = 'ALL' then 'all'
            when r.breakdown_group = 'NOT STATED' then 'Unknown'
            when r.breakdown_group in ('WHITE', 'BME', 'UK', 'EEA', 'IMG') then
                case r.breakdown_group when 'WHITE' then 'White' else r.breakdown_group end
            when r.breakdown_group = 'FEMALE' then 'Female'
            when r.breakdown_group = 'MALE' then 'Male'
            when r.breakdown_group = 'DISABLED' then 'Disabled'
            when r.breakdown_group = 'NON-DISABLED' then 'Non-disabled'
        end as group_value,
        r.breakdown,
        r.breakdown_group,
        r.respondent_count,
        r.positive_count,
        r.is_suppressed
    from results as r
    left join organisations as o on r.organisation_code = o.trust_code
    left join programmes as p on r.programme_code = p.programme_key
)

select
    cast(survey_year as int) as survey_year,
    cast(fy_end as date) as fy_end,
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(source_organisation_code as {{ dbt.type_string() }}) as source_organisation_code,
    cast(programme_key as {{ dbt.type_string() }}) as programme_key,
    cast(programme_code as {{ dbt.type_string() }}) as programme_code,
    cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
    cast(indicator_text as {{ dbt.type_string() }}) as indicator_text,
    cast(breakdown as {{ dbt.type_string() }}) as breakdown,
    cast(breakdown_group as {{ dbt.type_string() }}) as breakdown_group,
    cast(group_dimension as {{ dbt.type_string() }}) as group_dimension,
    cast(group_value as {{ dbt.type_string() }}) as group_value,
    cast(respondent_count as int) as respondent_count,
    cast(positive_count as int) as positive_count,
    cast(is_suppressed as boolean) as is_suppressed
from conformed
