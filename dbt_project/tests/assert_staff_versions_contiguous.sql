{{ config(meta={'dagster': {'ref': {'name': 'int_staff_versions_historised'}}}) }}
-- Versions of one staff_key in int_staff_versions_historised never overlap and leave no gap while the
-- person is employed (has a live assignment). Returns offending versions with the reason.
with ordered as (
    select
        staff_key,
        staff_version_key,
        valid_from,
        valid_to,
        lag(valid_to) over (
            partition by staff_key order by valid_from asc nulls last, staff_version_key asc nulls last
        ) as previous_valid_to
    from {{ ref('int_staff_versions_historised') }}
),

overlapping as (
    select staff_key, staff_version_key, valid_from, previous_valid_to, 'overlap' as reason
    from ordered
    where previous_valid_to is not null
        and previous_valid_to >= valid_from
),

-- gaps: a day between two versions on which the person still had a live assignment
gap_days as (
    select
        o.staff_key,
        o.staff_version_key,
        o.valid_from,
        o.previous_valid_to,
        cast({{ dbt.dateadd('day', 1, 'o.previous_valid_to') }} as date) as first_gap_day
    from ordered as o
    where o.previous_valid_to is not null
        and cast({{ dbt.dateadd('day', 1, 'o.previous_valid_to') }} as date) < o.valid_from
),

gaps as (
    select distinct g.staff_key, g.staff_version_key, g.valid_from, g.previous_valid_to, 'gap_while_employed' as reason
    from gap_days as g
    inner join {{ ref('stg_esr__assignments') }} as a
        on g.staff_key = a.employee_key
        and a.effective_start_date < g.valid_from
        and coalesce(a.effective_end_date, cast('9999-12-31' as date)) >= g.first_gap_day
),

-- uncovered: a live assignment start date not covered by any version
uncovered as (
    select distinct a.employee_key as staff_key, cast(null as {{ dbt.type_string() }}) as staff_version_key,
        a.effective_start_date as valid_from, cast(null as date) as previous_valid_to, 'assignment_not_covered' as reason
    from {{ ref('stg_esr__assignments') }} as a
    left join {{ ref('int_staff_versions_historised') }} as v
        on a.employee_key = v.staff_key
        and a.effective_start_date between v.valid_from and v.valid_to
    where v.staff_key is null
)

select * from overlapping
union all
select * from gaps
union all
select * from uncovered
