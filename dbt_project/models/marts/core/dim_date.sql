{{ config(contract={'enforced': true}) }}

-- Portable date spine: 10^4 integers from four cross-joined digit CTEs (no generate_series/unnest/range),
-- offset from 2015-04-01 and cut at 2031-03-31 (5,844 days, financial years 2015/16 to 2030/31).
with digits as (
    select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
    union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
),

numbers as (
    select thousands.d * 1000 + hundreds.d * 100 + tens.d * 10 + units.d as day_offset
    from digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as units
),

spine as (
    select
        cast({{ dbt.dateadd('day', 'day_offset', "cast('2015-04-01' as date)") }} as date) as date_key
    from numbers
),

parts as (
    select
        date_key,
        cast(extract(year from date_key) as int) as calendar_year,
        cast(extract(month from date_key) as int) as calendar_month,
        cast(extract(day from date_key) as int) as day_of_month,
        cast({{ dbt.last_day('date_key', 'month') }} as date) as month_end_date
    from spine
    where date_key <= cast('2031-03-31' as date)
),

fiscal as (
    select
        date_key,
        calendar_year,
        calendar_month,
        day_of_month,
        month_end_date,
        case when calendar_month >= 4 then calendar_year + 1 else calendar_year end as fy_end_year
    from parts
)

select
    date_key,
    calendar_year,
    calendar_month,
    day_of_month,
    cast(calendar_year * 100 + calendar_month as int) as year_month,
    month_end_date,
    date_key = month_end_date as is_month_end,
    cast(
        {{ dbt.concat(["cast(fy_end_year as " ~ dbt.type_string() ~ ")", "'-03-31'"]) }} as date
    ) as fy_end,
    cast(
        {{ dbt.concat([
            "cast(fy_end_year - 1 as " ~ dbt.type_string() ~ ")",
            "'/'",
            dbt.right("cast(fy_end_year as " ~ dbt.type_string() ~ ")", "2"),
        ]) }} as {{ dbt.type_string() }}
    ) as fy_label,
    cast(case
        when calendar_month between 4 and 6 then 1
        when calendar_month between 7 and 9 then 2
        when calendar_month between 10 and 12 then 3
        else 4
    end as int) as fiscal_quarter,
    cast(case when calendar_month >= 4 then calendar_month - 3 else calendar_month + 9 end as int) as fiscal_month,
    (calendar_month = 3 and day_of_month = 31) as is_march_31_snapshot
from fiscal
