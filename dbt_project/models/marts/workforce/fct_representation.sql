{{ config(contract={'enforced': true}) }}

-- fct_representation (metrics-spec §8): each ethnic group's share of the known-ethnicity workforce,
-- per cluster, against its share of the trust's catchment population (Census 2021, the trust's ICB).
-- Unknown ethnicity has no census counterpart, so it leaves the share and is reported as a rate beside it.
with workforce as (
    select organisation_code, fy_end, staff_key, cluster, ethnicity_group_5, census_2021_harmonised_group,
        wres_group
    from {{ ref('int_workforce_snapshot_classified') }}
    where is_march_31_snapshot and in_wres_population
),

clustered as (
    select organisation_code, fy_end, staff_key, cluster, ethnicity_group_5, census_2021_harmonised_group,
        wres_group
    from workforce
    union all
    select organisation_code, fy_end, staff_key, 'all', ethnicity_group_5, census_2021_harmonised_group,
        wres_group
    from workforce
),

cluster_totals as (
    select organisation_code, fy_end, cluster,
        -- a person is once in each cluster row (int_workforce_snapshot_classified is unique per person and
        -- date), so rows are people
        count(*) as cluster_headcount,
        sum(case when wres_group <> 'Unknown' then 1 else 0 end) as known_headcount
    from clustered
    group by organisation_code, fy_end, cluster
),

population_shares as (
    select trust_code, 'high_level' as group_level, 'White' as ethnic_group, pop_share_white as population_share
    from {{ ref('dim_organisation') }}
    union all select trust_code, 'high_level', 'Mixed or Multiple', pop_share_mixed from {{ ref('dim_organisation') }}
    union all select trust_code, 'high_level', 'Asian', pop_share_asian from {{ ref('dim_organisation') }}
    union all select trust_code, 'high_level', 'Black', pop_share_black from {{ ref('dim_organisation') }}
    union all select trust_code, 'high_level', 'Other', pop_share_other from {{ ref('dim_organisation') }}
    union all select trust_code, 'wres', 'BME', pop_share_bme from {{ ref('dim_organisation') }}
    union all
    select o.trust_code, 'harmonised', h.census_2021_harmonised_group, h.population_share
    from {{ ref('dim_organisation') }} as o
    inner join {{ ref('int_icb_catchment_ethnicity_harmonised') }} as h on o.icb_ods_code = h.icb_ods_code
),

frame as (
    select t.organisation_code, t.fy_end, t.cluster, t.cluster_headcount, t.known_headcount,
        p.group_level, p.ethnic_group, p.population_share
    from cluster_totals as t
    inner join population_shares as p on t.organisation_code = p.trust_code
),

group_counts as (
    select organisation_code, fy_end, cluster, 'high_level' as group_level, ethnicity_group_5 as ethnic_group,
        count(*) as headcount
    from clustered
    where wres_group <> 'Unknown'
    group by organisation_code, fy_end, cluster, ethnicity_group_5
    union all
    select organisation_code, fy_end, cluster, 'wres', 'BME', count(*)
    from clustered
    where wres_group = 'BME'
    group by organisation_code, fy_end, cluster
    union all
    select organisation_code, fy_end, cluster, 'harmonised', census_2021_harmonised_group, count(*)
    from clustered
    where wres_group <> 'Unknown'
    group by organisation_code, fy_end, cluster, census_2021_harmonised_group
),

measured as (
    select
        f.*,
        coalesce(g.headcount, 0) as headcount,
        cast(coalesce(g.headcount, 0) as double) / nullif(f.known_headcount, 0) as workforce_share
    from frame as f
    left join group_counts as g
        on f.organisation_code = g.organisation_code and f.fy_end = g.fy_end
        and f.cluster = g.cluster and f.group_level = g.group_level and f.ethnic_group = g.ethnic_group
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(fy_end as date) as fy_end,
    cast(cluster as {{ dbt.type_string() }}) as cluster,
    cast(group_level as {{ dbt.type_string() }}) as group_level,
    cast(ethnic_group as {{ dbt.type_string() }}) as ethnic_group,
    cast(headcount as bigint) as headcount,
    cast(known_headcount as bigint) as known_headcount,
    cast(cluster_headcount as bigint) as cluster_headcount,
    cast(100.0 * workforce_share as double) as workforce_share_pct,
    cast(100.0 * population_share as double) as population_share_pct,
    cast({{ representation_ratio('workforce_share', 'population_share') }} as double) as representation_ratio,
    cast(100.0 * (workforce_share - population_share) as double) as representation_gap_pp,
    cast({{ share_pct('cluster_headcount - known_headcount', 'cluster_headcount') }} as double) as unknown_rate_pct
from measured
