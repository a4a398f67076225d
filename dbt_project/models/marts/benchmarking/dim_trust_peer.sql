{{ config(contract={'enforced': true}) }}

-- dim_trust_peer (metrics-spec §11): each trust's like-for-like peers - same trust type, then the
-- var('peer_k') nearest by Euclidean distance over z-scored log size, catchment BME share and
-- catchment deprivation (scored across all open English trusts with all three features).
-- The features are fixed public data, so every reporting year carries the same peers today; the
-- year is in the key so that a later size or census refresh can change them without rewriting history.
with features as (
    select
        trust_code, trust_type, nhs_region_code,
        ln(workforce_fte_june_2018) as log_size,
        pop_share_bme as bme_share,
        catchment_imd_score as deprivation
    from {{ ref('dim_organisation') }}
    where is_open and country = 'England' and trust_type <> 'unknown'
        and workforce_fte_june_2018 > 0 and pop_share_bme is not null and catchment_imd_score is not null
),

-- Means and sample standard deviations from exact decimal sums (decimal_mean / decimal_sum): avg and
-- stddev_samp over doubles depend on the order the engine adds the trusts in, and so would every
-- distance and, at a near tie, a peer.
means as (
    select
        {{ decimal_mean('log_size') }} as mean_size,
        {{ decimal_mean('bme_share') }} as mean_bme,
        {{ decimal_mean('deprivation') }} as mean_deprivation
    from features
),

spreads as (
    select
        m.mean_size,
        m.mean_bme,
        m.mean_deprivation,
        {%- for feature, mean, alias in [('log_size', 'mean_size', 'sd_size'), ('bme_share', 'mean_bme', 'sd_bme'),
                                         ('deprivation', 'mean_deprivation', 'sd_deprivation')] %}
        sqrt(cast({{ decimal_sum('(f.' ~ feature ~ ' - m.' ~ mean ~ ') * (f.' ~ feature ~ ' - m.' ~ mean ~ ')') }} as double)
            / nullif(count(*) - 1, 0)) as {{ alias }}{{ ',' if not loop.last }}
        {%- endfor %}
    from features as f
    cross join means as m
    group by m.mean_size, m.mean_bme, m.mean_deprivation
),

scaled as (
    select
        f.trust_code, f.trust_type, f.nhs_region_code,
        (f.log_size - s.mean_size) / nullif(s.sd_size, 0) as z_size,
        (f.bme_share - s.mean_bme) / nullif(s.sd_bme, 0) as z_bme,
        (f.deprivation - s.mean_deprivation) / nullif(s.sd_deprivation, 0) as z_deprivation
    from features as f
    cross join spreads as s
),

pairs as (
    select
        subject.trust_code,
        peer.trust_code as peer_trust_code,
        subject.trust_type,
        sqrt(
            (subject.z_size - peer.z_size) * (subject.z_size - peer.z_size)
            + (subject.z_bme - peer.z_bme) * (subject.z_bme - peer.z_bme)
            + (subject.z_deprivation - peer.z_deprivation) * (subject.z_deprivation - peer.z_deprivation)
        ) as distance
    from scaled as subject
    inner join scaled as peer
        on subject.trust_type = peer.trust_type and subject.trust_code <> peer.trust_code
),

ranked as (
    select
        pairs.*,
        row_number() over (
            partition by trust_code order by distance asc nulls last, peer_trust_code asc nulls last
        ) as peer_rank
    from pairs
),

years as (
    select distinct fy_end from {{ ref('dim_date') }}
    where fy_end >= cast('{{ var("esr_history_start") }}' as date) and fy_end <= {{ dbt.current_timestamp() }}
)

select
    cast(r.trust_code as {{ dbt.type_string() }}) as trust_code,
    cast(y.fy_end as date) as fy_end,
    cast(r.peer_trust_code as {{ dbt.type_string() }}) as peer_trust_code,
    cast(r.peer_rank as int) as peer_rank,
    cast(r.distance as double) as distance,
    cast(r.trust_type as {{ dbt.type_string() }}) as trust_type
from ranked as r
cross join years as y
where r.peer_rank <= {{ var('peer_k') }}
