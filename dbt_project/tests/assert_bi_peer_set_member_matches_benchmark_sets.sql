{{ config(meta={'dagster': {'ref': {'name': 'bi_peer_set_member'}}}) }}
-- bi_peer_set_member lists exactly bi_peer_benchmark's sets: for every published benchmark row, the
-- members with a published value for that measure row number set_size. Fails with each row where they differ.
-- Trusts that share a member list (all of England, a region) share its counts: each distinct list is
-- counted once, so the work grows with the trusts, not with their square (national scale).
with benchmark as (
    select * from {{ ref('bi_peer_benchmark') }}
    where comparison_set <> 'england_published_gpg'
),

subject_sets as (
    select organisation_code, comparison_set, fy_end,
        {{ dbt.hash(dbt.listagg('member_organisation_code', "','", 'order by member_organisation_code')) }}
            as member_list
    from {{ ref('bi_peer_set_member') }}
    group by organisation_code, comparison_set, fy_end
),

distinct_set_members as (
    select distinct s.comparison_set, s.fy_end, s.member_list, m.member_organisation_code
    from subject_sets as s
    inner join {{ ref('bi_peer_set_member') }} as m
        on s.organisation_code = m.organisation_code and s.comparison_set = m.comparison_set
        and s.fy_end = m.fy_end
),

valued as (
    -- bi_peer_benchmark ranks the published values only
    select organisation_code, fy_end, measure_id, variant, breakdown_type, breakdown_value,
        group_dimension, group_value
    from {{ ref('bi_edi_measure') }}
    where period_type = 'financial_year' and value is not null and not is_suppressed
),

valued_per_set as (
    select
        d.comparison_set, d.fy_end, d.member_list, v.measure_id, v.variant, v.breakdown_type,
        v.breakdown_value, v.group_dimension, v.group_value, count(*) as members_valued
    from distinct_set_members as d
    inner join valued as v on d.member_organisation_code = v.organisation_code and d.fy_end = v.fy_end
    group by d.comparison_set, d.fy_end, d.member_list, v.measure_id, v.variant, v.breakdown_type,
        v.breakdown_value, v.group_dimension, v.group_value
),

members_with_value as (
    select
        b.organisation_code, b.comparison_set, b.fy_end, b.measure_id, b.variant, b.breakdown_type,
        b.breakdown_value, b.group_dimension, b.group_value, b.set_size,
        coalesce(c.members_valued, 0) as members_valued
    from benchmark as b
    left join subject_sets as s
        on b.organisation_code = s.organisation_code and b.comparison_set = s.comparison_set
        and b.fy_end = s.fy_end
    left join valued_per_set as c
        on s.comparison_set = c.comparison_set and s.fy_end = c.fy_end and s.member_list = c.member_list
        and b.measure_id = c.measure_id and b.variant = c.variant and b.breakdown_type = c.breakdown_type
        and b.breakdown_value = c.breakdown_value and b.group_dimension = c.group_dimension
        and b.group_value = c.group_value
)

select *
from members_with_value
where members_valued <> set_size
