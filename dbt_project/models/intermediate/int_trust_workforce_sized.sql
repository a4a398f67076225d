-- Trust size from NHS Digital's June 2018 workforce: each 2018 code's FTE is credited to the trust
-- that holds it today (itself if still open, else its resolved ODS successor), so merged trusts carry
-- the FTE of every predecessor. FTEs are fractional: summed as decimals, the same in any row order.
with fte_2018 as (
    select org_code, cast({{ decimal_sum('fte') }} as double) as fte
    from {{ ref('stg_nhs_digital__workforce_fte') }}
    group by org_code
)

select
    coalesce(successors.successor_trust_code, fte_2018.org_code) as trust_code,
    cast({{ decimal_sum('fte_2018.fte') }} as double) as workforce_fte_june_2018,
    count(*) as source_org_count
from fte_2018
left join {{ ref('int_trust_successor_resolved') }} as successors
    on fte_2018.org_code = successors.trust_code
group by coalesce(successors.successor_trust_code, fte_2018.org_code)
