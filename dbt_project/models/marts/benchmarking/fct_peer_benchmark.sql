{{ config(contract={'enforced': true}) }}

{%- set keys = ['comparison_set', 'fy_end', 'measure_id', 'variant', 'breakdown_type', 'breakdown_value',
                'group_dimension', 'group_value'] -%}

-- fct_peer_benchmark (metrics-spec §11): where each trust's annual measures stand among its peers, its
-- NHS region and England - the trusts in this warehouse - and, for the gender pay gap, among every
-- trust's real GOV.UK return (the latest published year).
with measured as (
    select
        m.organisation_code, m.fy_end, m.measure_id, m.variant, m.breakdown_type, m.breakdown_value,
        m.group_dimension, m.group_value, m.value, o.nhs_region_code,
        {{ favourability('m.value', 'm.measure_kind', 'm.higher_is_better') }} as favourability
    from {{ ref('fct_edi_measure') }} as m
    inner join {{ ref('dim_organisation') }} as o on m.organisation_code = o.trust_code
    where m.period_type = 'financial_year' and m.value is not null
        and (m.measure_kind = 'relative_likelihood' or m.higher_is_better is not null)
),

same_measure as (
    select
        s.organisation_code as subject_trust_code, s.fy_end, s.measure_id, s.variant, s.breakdown_type,
        s.breakdown_value, s.group_dimension, s.group_value, s.nhs_region_code as subject_region,
        m.organisation_code as member_trust_code, m.nhs_region_code as member_region,
        m.favourability as member_favourability
    from measured as s
    inner join measured as m
        on s.fy_end = m.fy_end and s.measure_id = m.measure_id and s.variant = m.variant
        and s.breakdown_type = m.breakdown_type and s.breakdown_value = m.breakdown_value
        and s.group_dimension = m.group_dimension and s.group_value = m.group_value
),

published_gpg as (
    -- A trust filing more than once (or under two employer ids) counts once, at its mean.
    select organisation_code as trust_code, avg(median_hourly_gap_pct) as median_hourly_gap_pct
    from {{ ref('fct_gender_pay_gap_published') }}
    where organisation_code is not null
        and reporting_year = (select max(reporting_year) from {{ ref('fct_gender_pay_gap_published') }})
    group by organisation_code
),

computed_gpg as (
    select *
    from measured
    where measure_id = 'pay_gap_median_hourly_pct' and group_dimension = 'sex'
        and breakdown_type = 'overall' and variant = 'default'
),

members as (
    select 'england' as comparison_set, subject_trust_code, fy_end, measure_id, variant, breakdown_type,
        breakdown_value, group_dimension, group_value, member_trust_code, member_favourability
    from same_measure
    union all
    select 'region', subject_trust_code, fy_end, measure_id, variant, breakdown_type,
        breakdown_value, group_dimension, group_value, member_trust_code, member_favourability
    from same_measure
    where subject_region = member_region
    union all
    select 'peers', s.subject_trust_code, s.fy_end, s.measure_id, s.variant, s.breakdown_type,
        s.breakdown_value, s.group_dimension, s.group_value, s.member_trust_code, s.member_favourability
    from same_measure as s
    left join {{ ref('dim_trust_peer') }} as p
        on s.subject_trust_code = p.trust_code and s.fy_end = p.fy_end and s.member_trust_code = p.peer_trust_code
    where s.member_trust_code = s.subject_trust_code or p.peer_trust_code is not null
    union all
    -- The subject's computed gap among every other trust's published gap (lower is better).
    select 'england_published_gpg', c.organisation_code, c.fy_end, c.measure_id, c.variant, c.breakdown_type,
        c.breakdown_value, c.group_dimension, c.group_value, c.organisation_code, c.favourability
    from computed_gpg as c
    union all
    select 'england_published_gpg', c.organisation_code, c.fy_end, c.measure_id, c.variant, c.breakdown_type,
        c.breakdown_value, c.group_dimension, c.group_value, g.trust_code, -g.median_hourly_gap_pct
    from computed_gpg as c
    inner join published_gpg as g on g.trust_code <> c.organisation_code
),

ranked as (
    {{ peer_percentile('members', keys) }}
)

select
    cast(r.subject_trust_code as {{ dbt.type_string() }}) as organisation_code,
    {%- for key in keys %}
    cast(r.{{ key }} as {{ 'date' if key == 'fy_end' else dbt.type_string() }}) as {{ key }},
    {%- endfor %}
    cast(v.value as double) as value,
    cast(r.set_size as bigint) as set_size,
    cast(r.less_favourable as bigint) as less_favourable_members,
    cast(r.percentile as double) as percentile
from ranked as r
inner join measured as v
    on r.subject_trust_code = v.organisation_code and r.fy_end = v.fy_end and r.measure_id = v.measure_id
    and r.variant = v.variant and r.breakdown_type = v.breakdown_type and r.breakdown_value = v.breakdown_value
    and r.group_dimension = v.group_dimension and r.group_value = v.group_value
