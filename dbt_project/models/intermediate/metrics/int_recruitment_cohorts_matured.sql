{{ config(materialized='table') }}

-- int_recruitment_cohorts_matured: per trust, how far its shortlisting cohorts have matured. Appointments
-- from shortlisting come weeks after it, so a cohort (the applications shortlisted in a month, quarter
-- or year) whose last day is later than mature_cohort_end_date has not yet had the follow-up window
-- (var recruitment_follow_up_days) and looks artificially low. The window is measured from the latest
-- date in the trust's own extract, never from today, so a rerun on the same data gives the same result.
-- Only application and shortlisting dates count: offer and start dates can be booked in the future.
{%- set follow_up_days = recruitment_follow_up_days() %}

with extract_dates as (
    select organisation_code, application_date_key as data_date
    from {{ ref('fct_recruitment_application') }}
    where application_date_key is not null
    union all
    select organisation_code, shortlisting_date_key as data_date
    from {{ ref('fct_recruitment_application') }}
    where shortlisting_date_key is not null
),

latest as (
    select organisation_code, max(data_date) as latest_data_date
    from extract_dates
    group by organisation_code
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(latest_data_date as date) as latest_data_date,
    cast({{ follow_up_days }} as int) as follow_up_days,
    cast({{ dbt.dateadd('day', -1 * follow_up_days, 'latest_data_date') }} as date) as mature_cohort_end_date
from latest
