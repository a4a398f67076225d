{{ config(contract={'enforced': true}) }}

-- fct_workforce_composition (WRES 1, WDES 1): who the workforce is at each 31 March, by band as the
-- national return lays it out (AfC bands, VSM, medical and dental subgroups), by cluster, and by clinical
-- category x either. The 'all' breakdown row is the whole workforce and the 'all' group the breakdown
-- total, so each (characteristic, breakdown_type) block is a complete table with margins - the shape
-- disclosure control needs to find every line.
with workforce as (
    select organisation_code, fy_end, cluster, wres_band, clinical_category, wres_group,
        disability_status, is_trust_grade_doctor
    from {{ ref('int_workforce_snapshot_classified') }}
    where is_march_31_snapshot and in_wres_population
),

-- Clusters and bands that put trust-grade doctors in one row with other grades (cluster M2 beside the
-- career grades; a band, when ref_pay_grade folds them into career_grade) [NV bands.medical_other]:
-- rows holding them there are flagged, so nobody reads them as career grades alone.
folding_labels as (
    {%- for label_type, column in [('cluster', 'cluster'), ('band', 'wres_band')] %}
    select '{{ label_type }}' as label_type, {{ column }} as label
    from {{ ref('dim_pay_grade') }}
    group by {{ column }}
    having max(case when medical_subgroup = 'other' then 1 else 0 end) = 1
        and max(case when medical_subgroup <> 'other' then 1 else 0 end) = 1
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

workforce_folding as (
    select
        w.*,
        w.is_trust_grade_doctor and fc.label is not null as is_folded_in_cluster,
        w.is_trust_grade_doctor and fb.label is not null as is_folded_in_band
    from workforce as w
    left join folding_labels as fc
        on fc.label_type = 'cluster' and w.cluster = fc.label
    left join folding_labels as fb
        on fb.label_type = 'band' and w.wres_band = fb.label
),

-- People with the same classification counted once into a small cube: the breakdowns and margins below
-- multiply rows, so they multiply the cube's, not the workforce's (a person is in one row of each
-- breakdown and margin, so summing the cube's counts gives headcounts).
workforce_cube as (
    select organisation_code, fy_end, cluster, wres_band, clinical_category, wres_group, disability_status,
        is_trust_grade_doctor, is_folded_in_cluster, is_folded_in_band, count(*) as people
    from workforce_folding
    group by organisation_code, fy_end, cluster, wres_band, clinical_category, wres_group, disability_status,
        is_trust_grade_doctor, is_folded_in_cluster, is_folded_in_band
),

by_characteristic as (
    select organisation_code, fy_end, people, cluster, wres_band, clinical_category, is_trust_grade_doctor,
        is_folded_in_cluster, is_folded_in_band, 'ethnicity' as characteristic, wres_group as group_value
    from workforce_cube
    union all
    select organisation_code, fy_end, people, cluster, wres_band, clinical_category, is_trust_grade_doctor,
        is_folded_in_cluster, is_folded_in_band, 'disability' as characteristic, disability_status as group_value
    from workforce_cube
),

by_breakdown as (
    select organisation_code, fy_end, people, characteristic, group_value, is_trust_grade_doctor,
        is_folded_in_band as is_folded, 'band' as breakdown_type, wres_band as breakdown_value
    from by_characteristic
    union all
    select organisation_code, fy_end, people, characteristic, group_value, is_trust_grade_doctor,
        is_folded_in_band, 'clinical_band',
        {{ dbt.concat(['clinical_category', "'|'", 'wres_band']) }}
    from by_characteristic
    union all
    select organisation_code, fy_end, people, characteristic, group_value, is_trust_grade_doctor,
        is_folded_in_cluster, 'cluster', cluster
    from by_characteristic
    union all
    select organisation_code, fy_end, people, characteristic, group_value, is_trust_grade_doctor,
        is_folded_in_cluster, 'clinical_cluster',
        {{ dbt.concat(['clinical_category', "'|'", 'cluster']) }}
    from by_characteristic
),

-- The whole-workforce rows fold nobody: everyone is in them by definition.
with_margins as (
    select organisation_code, fy_end, characteristic, breakdown_type, breakdown_value, group_value, people,
        is_trust_grade_doctor, is_folded
    from by_breakdown
    union all
    select organisation_code, fy_end, characteristic, breakdown_type, 'all', group_value, people,
        is_trust_grade_doctor, false
    from by_breakdown
    union all
    select organisation_code, fy_end, characteristic, breakdown_type, breakdown_value, 'all', people,
        is_trust_grade_doctor, is_folded
    from by_breakdown
    union all
    select organisation_code, fy_end, characteristic, breakdown_type, 'all', 'all', people,
        is_trust_grade_doctor, false
    from by_breakdown
),

counted as (
    select
        organisation_code, fy_end, characteristic, breakdown_type, breakdown_value, group_value,
        sum(people) as headcount,
        sum(case when is_trust_grade_doctor then people else 0 end) as trust_grade_headcount,
        sum(case when is_folded then people else 0 end) as folded_trust_grade_headcount
    from with_margins
    group by organisation_code, fy_end, characteristic, breakdown_type, breakdown_value, group_value
),

with_totals as (
    select
        c.*,
        t.headcount as breakdown_headcount,
        t.folded_trust_grade_headcount > 0 as flag_trust_grade_folded,
        t.headcount - coalesce(u.headcount, 0) as breakdown_known_headcount,
        w.headcount as workforce_headcount
    from counted as c
    inner join counted as t
        on c.organisation_code = t.organisation_code and c.fy_end = t.fy_end
        and c.characteristic = t.characteristic and c.breakdown_type = t.breakdown_type
        and c.breakdown_value = t.breakdown_value and t.group_value = 'all'
    inner join counted as w
        on c.organisation_code = w.organisation_code and c.fy_end = w.fy_end
        and c.characteristic = w.characteristic and c.breakdown_type = w.breakdown_type
        and w.breakdown_value = 'all' and w.group_value = 'all'
    left join counted as u
        on c.organisation_code = u.organisation_code and c.fy_end = u.fy_end
        and c.characteristic = u.characteristic and c.breakdown_type = u.breakdown_type
        and c.breakdown_value = u.breakdown_value and u.group_value = 'Unknown'
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(fy_end as date) as fy_end,
    cast(characteristic as {{ dbt.type_string() }}) as characteristic,
    cast(breakdown_type as {{ dbt.type_string() }}) as breakdown_type,
    cast(breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
    cast(group_value as {{ dbt.type_string() }}) as group_value,
    cast(headcount as bigint) as headcount,
    cast(breakdown_headcount as bigint) as breakdown_headcount,
    cast(breakdown_known_headcount as bigint) as breakdown_known_headcount,
    cast(workforce_headcount as bigint) as workforce_headcount,
    cast({{ share_pct('headcount', 'breakdown_headcount') }} as double) as share_of_breakdown_pct,
    cast(case when group_value not in ('Unknown', 'all')
        then {{ share_pct('headcount', 'breakdown_known_headcount') }} end as double) as share_of_known_pct,
    cast({{ share_pct('headcount', 'workforce_headcount') }} as double) as share_of_workforce_pct,
    cast(trust_grade_headcount as bigint) as trust_grade_headcount,
    cast(flag_trust_grade_folded as boolean) as flag_trust_grade_folded
from with_totals
