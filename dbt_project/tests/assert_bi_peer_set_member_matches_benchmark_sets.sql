{{ config(meta={'dagster': {'ref': {'name': 'bi_peer_set_member'}}}) }}
-- bi_peer_set_member lists exactly fct_peer_benchmark's sets: for every published benchmark row, the
-- members with a value for that measure row number set_size. Fails with each row where they differ.
with benchmark as (
    select * from {{ ref('bi_peer_benchmark') }}
    where comparison_set <> 'england_published_gpg'
),

valued as (
    select organisation_code, fy_end, measure_id, variant, breakdown_type, breakdown_value,
        group_dimension, group_value
    from {{ ref('fct_edi_measure') }}
    where period_type = 'financial_year' and value is not null
),

members_with_value as (
    select
        b.organisation_code, b.comparison_set, b.fy_end, b.measure_id, b.variant, b.breakdown_type,
        b.breakdown_value, b.group_dimension, b.group_value, b.set_size,
        count(v.organisation_code) as members_valued
    from benchmark as b
    left join {{ ref('bi_peer_set_member') }} as s
        on b.organisation_code = s.organisation_code and b.comparison_set = s.comparison_set
        and b.fy_end = s.fy_end
    left join valued as v
        on s.member_organisation_code = v.organisation_code and b.fy_end = v.fy_end
        and b.measure_id = v.measure_id and b.variant = v.variant and b.breakdown_type = v.breakdown_type
        and b.breakdown_value = v.breakdown_value and b.group_dimension = v.group_dimension
        and b.group_value = v.group_value
    group by b.organisation_code, b.comparison_set, b.fy_end, b.measure_id, b.variant, b.breakdown_type,
        b.breakdown_value, b.group_dimension, b.group_value, b.set_size
)

select *
from members_with_value
where members_valued <> set_size
