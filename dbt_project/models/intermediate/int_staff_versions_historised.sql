{{ config(materialized="table") }}

-- Type-2 history of each staff member (employee_key), built as a model (no dbt snapshot).
-- Change points: every effective_start_date of any of the person's assignment versions, and the day
-- after every effective_end_date. Between two change points the set of live assignment versions is
-- constant; each such segment gets the person's attributes (primary assignment: highest FTE, then
-- highest band, then the ESR primary flag, then assignment_key, then the latest version of it). Adjacent segments with identical
-- tracked attributes are merged into one version; segments with no live assignment are gaps.
-- Codes are tracked upper-cased, as everywhere: a label re-sent in another case is not a new version
-- (landing dates a change from what figures see, orchestration/quality/supersession.py).
with assignments as (
    select
        a.employee_key,
        a.assignment_key,
        a.organisation_code,
        a.effective_start_date,
        coalesce(a.effective_end_date, cast('9999-12-31' as date)) as effective_end_date,
        a.effective_end_date as source_effective_end_date,
        a.assignment_category,
        a.is_primary_assignment,
        a.staff_group,
        a.payscale,
        cast(a.contracted_wte as decimal(7, 2)) as contracted_wte,
        a.gender_code,
        a.age_band,
        a.ethnic_origin,
        a.ethnic_category_code,
        a.disability_code,
        a.religious_belief_code,
        a.sexual_orientation_code,
        a.email_key,
        a.board_membership,
        coalesce(g.band_sort_order, -1) as band_sort_order
    from {{ ref('stg_esr__assignments') }} as a
    left join {{ ref('ref_pay_grade') }} as g
        on a.payscale = g.payscale_code
),

change_points as (
    select employee_key, effective_start_date as point_date from assignments
    union
    select
        employee_key,
        cast({{ dbt.dateadd('day', 1, 'source_effective_end_date') }} as date) as point_date
    from assignments
    where source_effective_end_date is not null
),

segments as (
    select
        employee_key,
        point_date as segment_start,
        coalesce(
            cast({{ dbt.dateadd('day', -1, 'lead(point_date) over (partition by employee_key order by point_date asc nulls last)') }} as date),
            cast('9999-12-31' as date)
        ) as segment_end
    from change_points
),

live as (
    select
        s.employee_key,
        s.segment_start,
        s.segment_end,
        a.assignment_key,
        a.organisation_code,
        a.assignment_category,
        a.staff_group,
        a.payscale,
        a.contracted_wte,
        a.gender_code,
        a.age_band,
        a.ethnic_origin,
        a.ethnic_category_code,
        a.disability_code,
        a.religious_belief_code,
        a.sexual_orientation_code,
        a.email_key,
        a.board_membership,
        row_number() over (
            partition by s.employee_key, s.segment_start
            order by
                a.contracted_wte desc nulls last,
                a.band_sort_order desc nulls last,
                case when a.is_primary_assignment then 1 else 0 end desc nulls last,
                a.assignment_key asc nulls last,
                a.effective_start_date desc nulls last  -- unique with assignment_key (staging's key)
        ) as primary_rank
    from segments as s
    inner join assignments as a
        on s.employee_key = a.employee_key
        and s.segment_start between a.effective_start_date and a.effective_end_date
),

segment_totals as (
    select
        employee_key,
        segment_start,
        cast(sum(contracted_wte) as decimal(7, 2)) as fte,
        cast(count(*) as int) as live_assignment_count,
        min(case when assignment_category = 'BANK' then 1 else 0 end) = 1 as is_bank_only
    from live
    group by employee_key, segment_start
),

segment_attributes as (
    select
        l.employee_key,
        l.segment_start,
        l.segment_end,
        l.assignment_key as primary_assignment_key,
        l.organisation_code,
        l.assignment_category,
        l.staff_group,
        l.payscale,
        l.gender_code,
        l.age_band,
        l.ethnic_origin,
        l.ethnic_category_code,
        l.disability_code,
        l.religious_belief_code,
        l.sexual_orientation_code,
        l.email_key,
        l.board_membership,
        t.fte,
        t.live_assignment_count,
        t.is_bank_only,
        {{ dbt.hash(dbt.concat([
            "coalesce(l.organisation_code, '~')", "'|'",
            "coalesce(l.staff_group, '~')", "'|'",
            "coalesce(l.payscale, '~')", "'|'",
            "coalesce(cast(t.fte as " ~ dbt.type_string() ~ "), '~')", "'|'",
            "case when t.is_bank_only then 'Y' else 'N' end", "'|'",
            "coalesce(l.gender_code, '~')", "'|'",
            "coalesce(l.age_band, '~')", "'|'",
            "coalesce(upper(l.ethnic_origin), '~')", "'|'",
            "coalesce(l.disability_code, '~')", "'|'",
            "coalesce(l.religious_belief_code, '~')", "'|'",
            "coalesce(l.sexual_orientation_code, '~')", "'|'",
            "coalesce(l.board_membership, '~')", "'|'",
            "coalesce(l.email_key, '~')",
        ])) }} as attribute_hash
    from live as l
    inner join segment_totals as t
        on l.employee_key = t.employee_key
        and l.segment_start = t.segment_start
    where l.primary_rank = 1
),

flagged as (
    select
        segment_attributes.*,
        case
            when lag(attribute_hash) over (
                partition by employee_key order by segment_start asc nulls last
            ) = attribute_hash
            and cast({{ dbt.dateadd('day', 1, 'lag(segment_end) over (partition by employee_key order by segment_start asc nulls last)') }} as date)
                = segment_start
                then 0
            else 1
        end as is_new_version
    from segment_attributes
),

numbered as (
    select
        flagged.*,
        sum(is_new_version) over (
            partition by employee_key
            order by segment_start asc nulls last
            rows between unbounded preceding and current row
        ) as version_number
    from flagged
),

versions as (
    select
        employee_key,
        version_number,
        min(segment_start) as valid_from,
        max(segment_end) as valid_to
    from numbered
    group by employee_key, version_number
)

select
    cast({{ dbt.hash(dbt.concat(["v.employee_key", "'|'", "cast(v.valid_from as " ~ dbt.type_string() ~ ")"])) }} as {{ dbt.type_string() }}) as staff_version_key,
    cast(v.employee_key as {{ dbt.type_string() }}) as staff_key,
    cast(n.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(n.email_key as {{ dbt.type_string() }}) as email_key,
    cast(v.valid_from as date) as valid_from,
    cast(v.valid_to as date) as valid_to,
    cast(v.version_number as int) as version_number,
    v.valid_to = cast('9999-12-31' as date) as is_current,
    cast(n.primary_assignment_key as {{ dbt.type_string() }}) as primary_assignment_key,
    cast(n.assignment_category as {{ dbt.type_string() }}) as assignment_category,
    cast(n.payscale as {{ dbt.type_string() }}) as payscale,
    cast(n.staff_group as {{ dbt.type_string() }}) as staff_group,
    cast(n.fte as decimal(7, 2)) as fte,
    cast(n.live_assignment_count as int) as live_assignment_count,
    n.is_bank_only,
    cast(n.gender_code as {{ dbt.type_string() }}) as gender_code,
    cast(n.age_band as {{ dbt.type_string() }}) as age_band,
    cast(n.ethnic_origin as {{ dbt.type_string() }}) as ethnic_origin,
    cast(n.ethnic_category_code as {{ dbt.type_string() }}) as ethnic_category_code,
    cast(n.disability_code as {{ dbt.type_string() }}) as disability_code,
    cast(n.religious_belief_code as {{ dbt.type_string() }}) as religious_belief_code,
    cast(n.sexual_orientation_code as {{ dbt.type_string() }}) as sexual_orientation_code,
    cast(n.board_membership as {{ dbt.type_string() }}) as board_membership
from versions as v
inner join numbered as n
    on v.employee_key = n.employee_key
    and v.valid_from = n.segment_start
