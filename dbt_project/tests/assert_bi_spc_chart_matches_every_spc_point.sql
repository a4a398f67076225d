{{ config(meta={'dagster': {'ref': {'name': 'bi_spc_chart'}}}) }}
-- bi_spc_chart holds every charted point once and no other (its PK test rules out doubles), and every
-- SPC row bi_spc publishes is a charted point: a chart drawn from the BI extract agrees with
-- fct_spc_point and bi_spc point for point. Fails with each point missing from one of the three.
with points as (
    select organisation_code, measure_id, period_type, period_end, group_dimension, group_value
    from {{ ref('fct_spc_point') }}
),

chart as (
    select organisation_code, measure_id, period_type, period_end, group_dimension, group_value
    from {{ ref('bi_spc_chart') }}
),

published as (
    select organisation_code, measure_id, period_type, period_end, group_dimension, group_value
    from {{ ref('bi_spc') }}
    where variant = 'default' and breakdown_type = 'overall' and breakdown_value = 'all'
),

every_key as (
    select * from points
    union
    select * from chart
    union
    -- every bi_spc row, of any shape: one outside default / overall / all is a point no chart places
    select organisation_code, measure_id, period_type, period_end, group_dimension, group_value
    from {{ ref('bi_spc') }}
)

select
    k.*,
    p.organisation_code is not null as in_fct_spc_point,
    c.organisation_code is not null as in_bi_spc_chart,
    b.organisation_code is not null as in_bi_spc
from every_key as k
left join points as p
    on k.organisation_code = p.organisation_code and k.measure_id = p.measure_id and k.period_type = p.period_type
    and k.period_end = p.period_end and k.group_dimension = p.group_dimension and k.group_value = p.group_value
left join chart as c
    on k.organisation_code = c.organisation_code and k.measure_id = c.measure_id and k.period_type = c.period_type
    and k.period_end = c.period_end and k.group_dimension = c.group_dimension and k.group_value = c.group_value
left join published as b
    on k.organisation_code = b.organisation_code and k.measure_id = b.measure_id and k.period_type = b.period_type
    and k.period_end = b.period_end and k.group_dimension = b.group_dimension and k.group_value = b.group_value
where p.organisation_code is null or c.organisation_code is null or b.organisation_code is null
