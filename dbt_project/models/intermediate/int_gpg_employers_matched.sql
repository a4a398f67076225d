-- GOV.UK gender pay gap returns conformed to ODS trust codes (metrics spec §6 benchmark).
-- Matching order (first hit wins): exact normalised name (filed, then current name) -> core name
-- (NHS/FOUNDATION/TRUST removed) -> registered postcode -> manual alias seed. A trust matched
-- whose ODS record closed on or before the pay snapshot is replaced by its latest successor.
with returns as (
    select
        employer_id,
        reporting_year,
        snapshot_date,
        employer_name,
        current_employer_name,
        postcode,
        is_public_sector,
        {{ normalise_org_name('employer_name') }} as normalised_name,
        {{ normalise_org_name('current_employer_name') }} as normalised_current_name,
        {{ normalise_org_name('employer_name', drop_generic_words=true) }} as core_name,
        {{ dbt.replace('postcode', "' '", "''") }} as postcode_key
    from {{ ref('stg_gov_uk_gpg__returns') }}
    where is_latest_submission
),

trusts as (
    select
        trust_code,
        trust_name,
        open_date,
        close_date,
        {{ normalise_org_name('trust_name') }} as normalised_name,
        {{ normalise_org_name('trust_name', drop_generic_words=true) }} as core_name,
        {{ dbt.replace('postcode', "' '", "''") }} as postcode_key
    from {{ ref('stg_ods__trusts') }}
),

-- coarse "looks like an NHS body" rule, used to scope the fuzzier steps and the match-rate denominator
flagged as (
    select
        returns.*,
        (
            {{ dbt.concat(["' '", 'normalised_name', "' '"]) }} like '% NHS %'
            or {{ dbt.concat(["' '", 'normalised_current_name', "' '"]) }} like '% NHS %'
            or (
                is_public_sector
                and (
                    normalised_name like '%FOUNDATION TRUST%'
                    or normalised_name like '%HOSPITAL%TRUST%'
                    or normalised_name like '%HEALTH%TRUST%'
                    or normalised_name like '%CARE%TRUST%'
                )
            )
        ) as is_nhs_looking_name,
        -- NHS bodies that are not trusts (commissioners, arm's-length bodies, charities, companies):
        -- kept out of the fuzzy steps, which would otherwise pair them with a trust sharing their address
        (
            {{ dbt.concat(["' '", 'normalised_name', "' '"]) }} like '% CCG %'
            or {{ dbt.concat(["' '", 'normalised_name', "' '"]) }} like '% CSU %'
            or normalised_name like '%COMMISSIONING%'
            or normalised_name like '%COMMISSIONERS%'
            or normalised_name like '%CHARIT%'
            or normalised_name like '%AUTHORITY%'
            or normalised_name like '%HEALTH BOARD%'
            or normalised_name like '%LIMITED%'
            or normalised_name like '%NHS GROUP%'
            or normalised_name in (
                'NHS ENGLAND', 'NHS DIGITAL', 'NHS IMPROVEMENT', 'NHS BLOOD AND TRANSPLANT',
                'NHS CONFEDERATION', 'NHS RESOLUTION FORMERLY NHS LITIGATION AUTHORITY'
            )
        ) as is_non_trust_body
    from returns
),

candidates as (
    select f.employer_id, f.reporting_year, t.trust_code, 'exact_name' as match_method, 1 as method_rank
    from flagged as f
    inner join trusts as t on f.normalised_name = t.normalised_name
    union all
    select f.employer_id, f.reporting_year, t.trust_code, 'exact_current_name', 2
    from flagged as f
    inner join trusts as t on f.normalised_current_name = t.normalised_name
    union all
    select f.employer_id, f.reporting_year, t.trust_code, 'core_name', 3
    from flagged as f
    inner join trusts as t on f.core_name = t.core_name
    where f.is_nhs_looking_name and not f.is_non_trust_body and {{ dbt.length('f.core_name') }} > 0
    union all
    select f.employer_id, f.reporting_year, t.trust_code, 'postcode', 4
    from flagged as f
    inner join trusts as t on f.postcode_key = t.postcode_key
    where f.is_nhs_looking_name and not f.is_non_trust_body
    union all
    select f.employer_id, f.reporting_year, a.trust_code, 'alias', 5
    from flagged as f
    inner join {{ ref('ref_gpg_employer_alias') }} as a on f.normalised_name = a.normalised_employer_name
),

ranked as (
    select
        c.employer_id,
        c.reporting_year,
        c.trust_code,
        c.match_method,
        row_number() over (
            partition by c.employer_id, c.reporting_year
            -- (method_rank, trust_code) is the candidate: rows tied on both are the same match, whichever is kept
            order by
                c.method_rank asc nulls last,
                case when t.close_date is null or t.close_date > f.snapshot_date then 0 else 1 end asc nulls last,
                case when t.close_date is null then 0 else 1 end asc nulls last,
                c.trust_code asc nulls last
        ) as candidate_rank,
        count(*) over (partition by c.employer_id, c.reporting_year, c.method_rank) as candidates_at_method
    from candidates as c
    inner join trusts as t on c.trust_code = t.trust_code
    inner join flagged as f on c.employer_id = f.employer_id and c.reporting_year = f.reporting_year
),

baseline_names as (
    select distinct trust_name from trusts
),

best as (
    select * from ranked where candidate_rank = 1
),

resolved as (
    select
        f.employer_id,
        f.reporting_year,
        f.snapshot_date,
        f.employer_name,
        f.current_employer_name,
        f.postcode,
        f.normalised_name,
        f.core_name,
        f.is_public_sector,
        f.is_nhs_looking_name,
        f.is_non_trust_body,
        b.trust_code as matched_trust_code,
        case
            when b.trust_code is not null and t.close_date <= f.snapshot_date and o.successor_trust_code is not null
                then o.successor_trust_code
            else b.trust_code
        end as organisation_code,
        case
            when b.trust_code is not null and t.close_date <= f.snapshot_date and o.successor_trust_code is not null
                then {{ dbt.concat(['b.match_method', "'+successor'"]) }}
            else b.match_method
        end as match_method,
        coalesce(b.candidates_at_method, 0) as candidate_count,
        baseline.trust_name is not null as is_exact_name_baseline_match
    from flagged as f
    left join best as b on f.employer_id = b.employer_id and f.reporting_year = b.reporting_year
    left join trusts as t on b.trust_code = t.trust_code
    left join {{ ref('dim_organisation') }} as o on b.trust_code = o.trust_code
    left join baseline_names as baseline on upper(f.employer_name) = baseline.trust_name
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
    is_nhs_looking_name or matched_trust_code is not null as is_nhs_looking,
    is_non_trust_body and matched_trust_code is null as is_non_trust_body,
    matched_trust_code,
    organisation_code,
    match_method,
    candidate_count,
    matched_trust_code is not null as is_matched,
    is_exact_name_baseline_match
from resolved
where is_nhs_looking_name or matched_trust_code is not null
