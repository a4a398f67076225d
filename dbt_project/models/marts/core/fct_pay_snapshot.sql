{#- Incremental by organisation and snapshot date: an incremental run deletes and rebuilds the rows of each
    organisation whose esr_pay or esr_assignment deliveries changed, from the earliest changed date on
    (macros/edi_fact_helpers.sql). -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'date_key', ['esr_pay', 'esr_assignment'],
    contract={'enforced': true})) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- fct_pay_snapshot: one row per person and 31 March pay snapshot (stg_esr__pay_snapshots).
-- Ordinary hourly pay rule: FTE-weighted mean of ordinary_hourly_pay over the person's full-pay-relevant
-- assignments, the weight being the assignment's contracted_wte in the version in force on the snapshot
-- date; when those weights sum to 0 or are missing (bank/honorary, or no assignment version on that date)
-- the plain mean over the full-pay-relevant assignments is used. Null when no assignment is full-pay
-- relevant. Bonus: sum of bonus_pay (12 months to the snapshot) over all the person's assignments.
with pay as (
    select
        p.employee_key,
        p.assignment_key,
        p.organisation_code,
        p.snapshot_date,
        cast(p.ordinary_hourly_pay as decimal(12, 4)) as ordinary_hourly_pay,
        cast(p.bonus_pay as decimal(14, 2)) as bonus_pay,
        p.is_full_pay_relevant,
        cast(a.contracted_wte as decimal(7, 2)) as contracted_wte
    from {{ ref('stg_esr__pay_snapshots') }} as p
    left join {{ ref('stg_esr__assignments') }} as a
        on p.assignment_key = a.assignment_key
        and p.snapshot_date >= a.effective_start_date
        and p.snapshot_date <= coalesce(a.effective_end_date, cast('9999-12-31' as date))
    {% if is_incremental() %}
    -- ESR is one system per trust: a person's pay rows of a snapshot belong to one organisation
    where {{ edi_in_change_scope('p.organisation_code', 'p.snapshot_date', ['esr_pay', 'esr_assignment']) }}
    {% endif %}
),

per_person as (
    select
        employee_key,
        snapshot_date,
        min(organisation_code) as organisation_code,
        count(*) as paid_assignment_count,
        sum(case when is_full_pay_relevant then 1 else 0 end) as full_pay_relevant_assignment_count,
        sum(case when is_full_pay_relevant then ordinary_hourly_pay * coalesce(contracted_wte, 0) end)
            as weighted_pay_sum,
        sum(case when is_full_pay_relevant then coalesce(contracted_wte, 0) end) as weight_sum,
        avg(case when is_full_pay_relevant then ordinary_hourly_pay end) as plain_mean_pay,
        sum(case when is_full_pay_relevant then contracted_wte end) as full_pay_relevant_fte,
        sum(bonus_pay) as bonus_pay_12m
    from pay
    group by employee_key, snapshot_date
),

versions as (
    select staff_key, staff_version_key, valid_from, valid_to, pay_grade_key
    from {{ ref('dim_staff') }}
    where not is_unknown_member
)

select
    cast(p.employee_key as {{ dbt.type_string() }}) as staff_key,
    cast(v.staff_version_key as {{ dbt.type_string() }}) as staff_version_key,
    cast(p.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(coalesce(v.pay_grade_key, '-1') as {{ dbt.type_string() }}) as pay_grade_key,
    cast(p.paid_assignment_count as int) as paid_assignment_count,
    cast(p.full_pay_relevant_assignment_count as int) as full_pay_relevant_assignment_count,
    cast(p.full_pay_relevant_assignment_count > 0 as boolean) as is_full_pay_relevant,
    cast(p.full_pay_relevant_fte as decimal(7, 2)) as full_pay_relevant_fte,
    cast(
        case
            when p.full_pay_relevant_assignment_count = 0 then null
            -- divided in double on both engines, as DuckDB divides decimals (Spark would keep a decimal
            -- and round 13.40625 up where DuckDB's double 13.4062499... rounds down)
            when p.weight_sum > 0 then cast(p.weighted_pay_sum as double) / nullif(cast(p.weight_sum as double), 0)
            else p.plain_mean_pay
        end as decimal(12, 4)
    ) as ordinary_hourly_pay,
    cast(
        case
            when p.full_pay_relevant_assignment_count = 0 then null
            when p.weight_sum > 0 then 'fte_weighted_mean'
            else 'unweighted_mean'
        end as {{ dbt.type_string() }}
    ) as hourly_pay_method,
    cast(p.bonus_pay_12m as decimal(14, 2)) as bonus_pay_12m,
    cast(p.bonus_pay_12m > 0 as boolean) as received_bonus,
    cast(p.snapshot_date as date) as date_key
from per_person as p
left join versions as v
    on p.employee_key = v.staff_key
    and p.snapshot_date between v.valid_from and v.valid_to
