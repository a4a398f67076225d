{{ config(materialized="table") }}
-- A table, not a view: the name matching is the costliest SQL of a small refresh, and as a view it
-- ran again for each of its tests and each model reading it (≈ 20 times a run).

-- GOV.UK gender pay gap returns conformed to the ODS code of the NHS trust that filed them (metrics spec
-- §6 benchmark). The candidates and their evidence are in int_gpg_employer_candidates; a return takes
-- the trust open at its snapshot date with the strongest evidence (lowest method_rank, then the most
-- similar name). When two or more trusts tie for it, the return is left unmatched rather than guessed.
with screened as (
    select * from {{ ref('int_gpg_employers_screened') }}
),

candidates as (
    select * from {{ ref('int_gpg_employer_candidates') }}
    where trust_code is not null
),

-- one row per return and trust: the trust's strongest evidence
per_trust as (
    select
        employer_id,
        reporting_year,
        trust_code,
        evidence_trust_code,
        match_method,
        method_rank,
        name_similarity,
        row_number() over (
            partition by employer_id, reporting_year, trust_code
            order by
                method_rank asc nulls last,
                name_similarity desc nulls last,
                match_method asc nulls last,
                evidence_trust_code asc nulls last
        ) as evidence_rank
    from candidates
),

ranked as (
    select
        employer_id,
        reporting_year,
        trust_code,
        evidence_trust_code,
        match_method,
        method_rank,
        name_similarity,
        row_number() over (
            partition by employer_id, reporting_year
            order by method_rank asc nulls last, name_similarity desc nulls last, trust_code asc nulls last
        ) as trust_rank,
        count(*) over (
            partition by employer_id, reporting_year, method_rank, coalesce(name_similarity, -1)
        ) as trusts_tied
    from per_trust
    where evidence_rank = 1
),

best as (
    select * from ranked where trust_rank = 1
),

baseline_names as (
    select distinct trust_name from {{ ref('stg_ods__trusts') }}
),

resolved as (
    select
        s.employer_id,
        s.reporting_year,
        s.snapshot_date,
        s.employer_name,
        s.current_employer_name,
        s.postcode,
        s.normalised_name,
        s.core_name,
        s.is_public_sector,
        s.is_nhs_looking_name,
        s.is_non_trust_body,
        b.trust_code is not null and b.trusts_tied = 1 as is_matched,
        b.trust_code as best_trust_code,
        b.evidence_trust_code,
        b.match_method,
        b.name_similarity,
        coalesce(b.trusts_tied, 0) as candidate_count,
        baseline.trust_name is not null as is_exact_name_baseline_match
    from screened as s
    left join best as b on s.employer_id = b.employer_id and s.reporting_year = b.reporting_year
    left join baseline_names as baseline on upper(s.employer_name) = baseline.trust_name
)

select
    employer_id,
    reporting_year,
    snapshot_date,
    employer_name,
    current_employer_name,
    postcode,
    normalised_name,
    core_name,
    is_public_sector,
    is_nhs_looking_name or is_matched as is_nhs_looking,
    is_non_trust_body and not is_matched as is_non_trust_body,
    case when is_matched then evidence_trust_code end as matched_trust_code,
    case when is_matched then best_trust_code end as organisation_code,
    case when is_matched then match_method end as match_method,
    case when is_matched then name_similarity end as name_similarity,
    candidate_count,
    is_matched,
    is_exact_name_baseline_match
from resolved
where is_nhs_looking_name or is_matched
