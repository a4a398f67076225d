{{ config(contract={'enforced': true}) }}

{%- set keys = ['fy_end', 'measure_id', 'variant', 'breakdown_type', 'breakdown_value', 'group_dimension',
                'group_value'] -%}

-- fct_peer_benchmark (metrics-spec §11): where each trust's annual measures stand among its peers, its
-- NHS region and England - the trusts in this warehouse - and, for the gender pay gap, among every
-- trust's real GOV.UK return (the latest published year).
-- Every set is ranked in work linear in the trusts: England and the region with windows over the
-- measured rows, the peers with windows over each trust's rows and its dim_trust_peer peers' (peer_k
-- each), the published gaps by one running count. Joining each trust to every other trust with the
-- same measure row grew with trusts squared and filled 30 GB of spill at national scale.
with measured as (
    select
        m.organisation_code, {% for key in keys %}m.{{ key }}, {% endfor %}m.value, o.nhs_region_code,
        {{ favourability('m.value', 'm.measure_kind', 'm.higher_is_better') }} as favourability
    from {{ ref('fct_edi_measure') }} as m
    inner join {{ ref('dim_organisation') }} as o on m.organisation_code = o.trust_code
    where m.period_type = 'financial_year' and m.value is not null
        and (m.measure_kind = 'relative_likelihood' or m.higher_is_better is not null)
        -- A measure row is compared with the rows equal to it on every key, and no key equals a null.
        {%- for key in keys %}
        and m.{{ key }} is not null
        {%- endfor %}
),

windowed as (
    select 'england' as comparison_set, organisation_code, {% for key in keys %}{{ key }}, {% endfor %}value,
        {{ rank_in_set('favourability', keys) }}
    from measured
    union all
    select 'region', organisation_code, {% for key in keys %}{{ key }}, {% endfor %}value,
        {{ rank_in_set('favourability', keys + ['nhs_region_code']) }}
    from measured
    where nhs_region_code is not null
),

peer_rows as (
    -- Each measured row as its own trust's subject, and as a member of the set of every trust that has
    -- that trust among its dim_trust_peer peers (peer_k each): a set is the subject and its peers. No
    -- join of measure rows to measure rows, which a planner could order before the peer join.
    select organisation_code as subject_trust_code, {% for key in keys %}{{ key }}, {% endfor %}value,
        favourability, 1 as is_subject
    from measured
    union all
    select p.trust_code, {% for key in keys %}m.{{ key }}, {% endfor %}m.value, m.favourability, 0
    from measured as m
    inner join {{ ref('dim_trust_peer') }} as p on m.organisation_code = p.peer_trust_code and m.fy_end = p.fy_end
),

peer_ranked as (
    select subject_trust_code, {% for key in keys %}{{ key }}, {% endfor %}value, is_subject,
        {{ rank_in_set('favourability', ['subject_trust_code'] + keys) }}
    from peer_rows
),

peers as (
    select 'peers' as comparison_set, subject_trust_code as organisation_code,
        {% for key in keys %}{{ key }}, {% endfor %}value, set_size, less_favourable
    from peer_ranked
    where is_subject = 1
),

published_gpg as (
    -- A trust filing more than once (or under two employer ids) counts once, at its mean.
    select organisation_code as trust_code, avg(median_hourly_gap_pct) as median_hourly_gap_pct
    from {{ ref('fct_gender_pay_gap_published') }}
    where organisation_code is not null
        and reporting_year = (select max(reporting_year) from {{ ref('fct_gender_pay_gap_published') }})
    group by organisation_code
),

gpg_scale as (
    -- The subjects' computed gaps and every published gap on one favourability scale (a lower gap is
    -- better); published rows carry no key.
    select organisation_code, {% for key in keys %}{{ key }}, {% endfor %}value, favourability, 0 as is_published
    from measured
    where measure_id = 'pay_gap_median_hourly_pct' and group_dimension = 'sex'
        and breakdown_type = 'overall' and variant = 'default'
    union all
    select trust_code, {% for key in keys %}null, {% endfor %}null, -median_hourly_gap_pct, 1
    from published_gpg
),

gpg_ranked as (
    -- Published gaps strictly less favourable than the row: those up to and level with it (a RANGE
    -- frame takes level rows as peers, so the order of ties cannot matter) less those level with it.
    select
        *,
        case
            when favourability is null then 0
            else sum(is_published) over (
                order by favourability asc nulls last range between unbounded preceding and current row
            ) - sum(is_published) over (partition by favourability)
        end as published_less_favourable
    from gpg_scale
),

published_set as (
    -- Every other trust's published gap: the subject's own return, if it filed one, is left out.
    select 'england_published_gpg' as comparison_set, s.organisation_code,
        {% for key in keys %}s.{{ key }}, {% endfor %}s.value,
        1 + (select count(*) from published_gpg) - case when own.trust_code is not null then 1 else 0 end
            as set_size,
        s.published_less_favourable
            - case when -own.median_hourly_gap_pct < s.favourability then 1 else 0 end as less_favourable
    from gpg_ranked as s
    left join published_gpg as own on s.organisation_code = own.trust_code
    where s.is_published = 0
),

benchmarked as (
    select * from windowed
    union all
    select * from peers
    union all
    select * from published_set
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(comparison_set as {{ dbt.type_string() }}) as comparison_set,
    {%- for key in keys %}
    cast({{ key }} as {{ 'date' if key == 'fy_end' else dbt.type_string() }}) as {{ key }},
    {%- endfor %}
    cast(value as double) as value,
    cast(set_size as bigint) as set_size,
    cast(less_favourable as bigint) as less_favourable_members,
    cast({{ set_percentile('less_favourable', 'set_size') }} as double) as percentile
from benchmarked
