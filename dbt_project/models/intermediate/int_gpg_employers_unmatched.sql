-- NHS-looking GOV.UK gender pay gap returns that int_gpg_employers_matched left without a trust code,
-- with the reason and the trusts the evidence pointed at, for review.
with unmatched as (
    select * from {{ ref('int_gpg_employers_matched') }}
    where not is_matched
),

candidates as (
    select distinct employer_id, reporting_year, evidence_trust_code, trust_code is null as is_not_open
    from {{ ref('int_gpg_employer_candidates') }}
),

evidence as (
    select
        employer_id,
        reporting_year,
        sum(case when is_not_open then 1 else 0 end) as not_open_candidate_count,
        {{ dbt.listagg('evidence_trust_code', "', '", 'order by evidence_trust_code') }} as candidate_trust_codes
    from candidates
    group by employer_id, reporting_year
)

select
    u.employer_id,
    u.reporting_year,
    u.snapshot_date,
    u.employer_name,
    u.current_employer_name,
    u.postcode,
    u.normalised_name,
    case
        when u.is_non_trust_body then 'nhs_body_not_a_trust'
        when u.candidate_count > 1 then 'several_trusts_equally_likely'
        when e.not_open_candidate_count > 0 then 'trust_not_open_at_snapshot'
        when s.is_charity_name then 'charity_without_trust_evidence'
        else 'no_trust_found'
    end as unmatched_reason,
    e.candidate_trust_codes
from unmatched as u
inner join {{ ref('int_gpg_employers_screened') }} as s
    on u.employer_id = s.employer_id and u.reporting_year = s.reporting_year
left join evidence as e on u.employer_id = e.employer_id and u.reporting_year = e.reporting_year
