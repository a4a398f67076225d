{{ config(meta={'dagster': {'ref': {'name': 'fct_workforce_snapshot'}}}) }}
-- At every 31 March in fct_workforce_snapshot, the distinct staff counted there equal the distinct
-- employee_key live in stg_esr__assignments on that date under the same inclusion rule: contracted FTE
-- summed across the person's live assignments > 0, or every live assignment is BANK, or a live
-- assignment holds a board seat or the non-executive payscale (board members count whatever their
-- hours). Returns the dates (with both counts) that do not reconcile, and fails when a 31 March is
-- missing from either side.
with snapshot_dates as (
    select distinct date_key
    from {{ ref('fct_workforce_snapshot') }}
    where extract(month from date_key) = 3 and extract(day from date_key) = 31
),

live as (
    select
        d.date_key,
        a.employee_key,
        sum(a.contracted_wte) as fte,
        min(case when a.assignment_category = 'BANK' then 1 else 0 end) as all_bank,
        max(case when a.board_membership is not null or not g.is_workforce then 1 else 0 end) as on_board
    from snapshot_dates as d
    inner join {{ ref('stg_esr__assignments') }} as a
        on d.date_key >= a.effective_start_date
        and d.date_key <= coalesce(a.effective_end_date, cast('9999-12-31' as date))
    left join {{ ref('ref_pay_grade') }} as g
        on a.payscale = g.payscale_code
    group by d.date_key, a.employee_key
),

expected as (
    select date_key, count(*) as staff_count
    from live
    where fte > 0 or all_bank = 1 or on_board = 1
    group by date_key
),

actual as (
    select f.date_key, count(distinct f.staff_key) as staff_count
    from {{ ref('fct_workforce_snapshot') }} as f
    inner join snapshot_dates as d on f.date_key = d.date_key
    group by f.date_key
)

select
    coalesce(e.date_key, a.date_key) as date_key,
    e.staff_count as expected_staff,
    a.staff_count as fact_staff
from expected as e
full outer join actual as a on e.date_key = a.date_key
where e.staff_count is null
    or a.staff_count is null
    or e.staff_count <> a.staff_count
