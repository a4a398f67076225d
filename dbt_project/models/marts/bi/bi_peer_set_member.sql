{{ config(contract={'enforced': true}) }}

-- bi_peer_set_member: who is in each trust's comparison sets of fct_peer_benchmark (metrics-spec §11),
-- so a report can draw the members' published values (bi_edi_measure) beside the trust's percentile.
-- Members are the trusts of this warehouse in that year: England all of them, the region those of the
-- trust's NHS region, peers the trust itself and its dim_trust_peer peers. For one measure row the
-- benchmark's set is the members with a value there. england_published_gpg has no members here: its
-- values are the GOV.UK returns of every trust, public data outside the BI extract.
with trust_years as (
    select distinct m.organisation_code, m.fy_end, o.nhs_region_code
    from {{ ref('bi_edi_measure') }} as m
    inner join {{ ref('dim_organisation') }} as o on m.organisation_code = o.trust_code
    where m.period_type = 'financial_year'
),

pairs as (
    select
        s.organisation_code,
        s.fy_end,
        m.organisation_code as member_organisation_code,
        s.nhs_region_code = m.nhs_region_code as same_region
    from trust_years as s
    inner join trust_years as m on s.fy_end = m.fy_end
),

members as (
    select 'england' as comparison_set, organisation_code, fy_end, member_organisation_code
    from pairs
    union all
    select 'region', organisation_code, fy_end, member_organisation_code
    from pairs
    where same_region
    union all
    select 'peers', p.organisation_code, p.fy_end, p.member_organisation_code
    from pairs as p
    left join {{ ref('dim_trust_peer') }} as d
        on p.organisation_code = d.trust_code and p.fy_end = d.fy_end and p.member_organisation_code = d.peer_trust_code
    where p.member_organisation_code = p.organisation_code or d.peer_trust_code is not null
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(comparison_set as {{ dbt.type_string() }}) as comparison_set,
    cast(fy_end as date) as fy_end,
    cast(member_organisation_code as {{ dbt.type_string() }}) as member_organisation_code
from members
