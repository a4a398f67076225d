{#- Favourability (metrics-spec §11): bigger is better. RLs are judged by distance from parity, so
    0.8 and 1.25 are equally far; other measures by their direction; null when neither is better. -#}
{% macro favourability(value, measure_kind, higher_is_better) -%}
    case
        when {{ measure_kind }} = 'relative_likelihood' then -abs(ln(nullif({{ value }}, 0)))
        when {{ higher_is_better }} then {{ value }}
        when not {{ higher_is_better }} then -{{ value }}
    end
{%- endmacro %}

{#- Where each row stands in the set of rows sharing its partition columns (every row is a subject and
    a member): `set_size` counts the members, the subject included, and `less_favourable` the members
    strictly less favourable than the subject. rank() - 1 is the number of rows ordered before the
    row, and with nulls last those are exactly the non-null favourabilities below it; a member without a
    favourability is never less favourable, and a subject without one has none below it. Two select
    columns, linear in the rows (a self-join would grow with the square of the set). -#}
{% macro rank_in_set(favourability, partition_columns) -%}
    count(*) over (partition by {{ partition_columns | join(', ') }}) as set_size,
    case
        when {{ favourability }} is null then 0
        -- rank() gives tied rows the same rank whatever order the engine puts them in.
        else rank() over (
            partition by {{ partition_columns | join(', ') }} order by {{ favourability }} asc nulls last
        ) - 1
    end as less_favourable
{%- endmacro %}

{#- Percentile of a subject within its comparison set: 100 x (members strictly less favourable)
    / (n - 1), null when the set has fewer than var('peer_min_n_for_percentile') members. min_n
    overrides the variable (tests). -#}
{% macro set_percentile(less_favourable, set_size, min_n=none) -%}
    {%- set min_n = var('peer_min_n_for_percentile') if min_n is none else min_n -%}
    case when {{ set_size }} >= {{ min_n }}
        then 100.0 * cast({{ less_favourable }} as double) / nullif(cast({{ set_size }} as double) - 1, 0)
    end
{%- endmacro %}


{#- The comparison sets of metrics-spec §11, ranked: CTEs from `windowed` to `benchmarked` (one row per
    subject and set: organisation_code, comparison_set, the keys, value, set_size, less_favourable),
    over the CTE named `measured` (organisation_code, the keys, value, nhs_region_code, favourability).
    fct_peer_benchmark ranks every computed value; bi_peer_benchmark only the values the BI extract
    publishes, so a withheld value never moves a published rank.
    Every set is ranked in work linear in the trusts: England and the region with windows over the
    measured rows, the peers with windows over each trust's rows and its dim_trust_peer peers' (peer_k
    each), the published gaps by one running count. Joining each trust to every other trust with the
    same measure row grew with trusts squared and filled 30 GB of spill at national scale. -#}
{% macro comparison_sets_ranked(measured, keys) -%}
windowed as (
    select 'england' as comparison_set, organisation_code, {% for key in keys %}{{ key }}, {% endfor %}value,
        {{ rank_in_set('favourability', keys) }}
    from {{ measured }}
    union all
    select 'region', organisation_code, {% for key in keys %}{{ key }}, {% endfor %}value,
        {{ rank_in_set('favourability', keys + ['nhs_region_code']) }}
    from {{ measured }}
    where nhs_region_code is not null
),

peer_rows as (
    -- Each measured row as its own trust's subject, and as a member of the set of every trust that has
    -- that trust among its dim_trust_peer peers (peer_k each): a set is the subject and its peers. No
    -- join of measure rows to measure rows, which a planner could order before the peer join.
    select organisation_code as subject_trust_code, {% for key in keys %}{{ key }}, {% endfor %}value,
        favourability, 1 as is_subject
    from {{ measured }}
    union all
    select p.trust_code, {% for key in keys %}m.{{ key }}, {% endfor %}m.value, m.favourability, 0
    from {{ measured }} as m
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
    from {{ measured }}
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
{%- endmacro %}


{#- The annual measure rows a comparison set ranks, as comparison_sets_ranked reads them: those with a
    value and a direction (RLs by their distance from parity), every key present - a row is compared with
    the rows equal to it on every key, and no key equals a null. With published_only, only the rows the
    BI extract shows (measures: bi_edi_measure, whose withheld rows keep their keys). -#}
{% macro benchmarkable_rows(measures, keys, published_only=false) -%}
    select
        m.organisation_code, {% for key in keys %}m.{{ key }}, {% endfor %}m.value, o.nhs_region_code,
        {{ favourability('m.value', 'm.measure_kind', 'm.higher_is_better') }} as favourability
    from {{ measures }} as m
    inner join {{ ref('dim_organisation') }} as o on m.organisation_code = o.trust_code
    where m.period_type = 'financial_year' and m.value is not null
        and (m.measure_kind = 'relative_likelihood' or m.higher_is_better is not null)
        {%- if published_only %}
        and not m.is_suppressed
        {%- endif %}
        {%- for key in keys %}
        and m.{{ key }} is not null
        {%- endfor %}
{%- endmacro %}
