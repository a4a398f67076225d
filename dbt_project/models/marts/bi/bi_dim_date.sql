-- bi_dim_date: month ends only. Every measure period (month, quarter, financial year) ends on a
-- month end, so bi_edi_measure.period_end joins here for any period_type.
select
    cast(date_key as date) as period_end,
    cast(calendar_year as int) as calendar_year,
    cast(calendar_month as int) as calendar_month,
    cast(year_month as int) as year_month,
    cast(fy_end as date) as fy_end,
    cast(fy_label as {{ dbt.type_string() }}) as fy_label,
    cast(fiscal_quarter as int) as fiscal_quarter,
    cast(fiscal_month as int) as fiscal_month,
    cast(calendar_month in (3, 6, 9, 12) as boolean) as is_quarter_end,
    cast(is_march_31_snapshot as boolean) as is_fy_end
from {{ ref('dim_date') }}
where is_month_end
