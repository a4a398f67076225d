{{ config(materialized="table") }}
-- A table, not a view: the name matching is the costliest SQL of a small refresh, and as a view it
-- ran again for each of its tests and each model reading it (≈ 20 times a run).

-- GOV.UK gender pay gap returns (latest submission per employer and year) prepared for matching to NHS
-- trusts: normalised names, the name's words, and the flags that decide which matching steps a return
-- may take (see int_gpg_employer_candidates).
with returns as (
    select
        employer_id,
        reporting_year,
        snapshot_date,
        employer_name,
        current_employer_name,
        postcode,
        sic_codes,
        is_public_sector,
        {{ normalise_org_name('employer_name') }} as normalised_name,
        {{ normalise_org_name('current_employer_name') }} as normalised_current_name,
        {{ normalise_org_name('employer_name', drop_generic_words=true) }} as core_name,
        {{ normalise_org_name('current_employer_name', drop_generic_words=true) }} as core_current_name,
        {{ dbt.replace('postcode', "' '", "''") }} as postcode_key
    from {{ ref('stg_gov_uk_gpg__returns') }}
    where is_latest_submission
),

words as (
    {{ org_name_words('returns', ['employer_id', 'reporting_year'], 'normalised_name') }}
),

word_flags as (
    select
        words.employer_id,
        words.reporting_year,
        {{ dbt.bool_or("classes.word_class = 'non_trust'") }} as has_non_trust_word,
        {{ dbt.bool_or("classes.word_class = 'charity'") }} as has_charity_word,
        {{ dbt.bool_or("words.word = 'NHS'") }} as has_nhs_word
    from words
    left join {{ ref('ref_org_name_word') }} as classes on words.word = classes.word
    group by words.employer_id, words.reporting_year
),

flagged as (
    select
        returns.*,
        -- coarse "looks like an NHS body": the scope of the match-rate mart
        (
            {{ dbt.concat(["' '", 'returns.normalised_name', "' '"]) }} like '% NHS %'
            or {{ dbt.concat(["' '", 'returns.normalised_current_name', "' '"]) }} like '% NHS %'
            or (
                returns.is_public_sector
                and (
                    returns.normalised_name like '%FOUNDATION TRUST%'
                    or returns.normalised_name like '%HOSPITAL%TRUST%'
                    or returns.normalised_name like '%HEALTH%TRUST%'
                    or returns.normalised_name like '%CARE%TRUST%'
                )
            )
        ) as is_nhs_looking_name,
        coalesce(word_flags.has_non_trust_word, false) as is_non_trust_body,
        coalesce(word_flags.has_charity_word, false) as is_charity_name,
        -- NHS trusts are public authorities: only a public-sector return that names the NHS or works in
        -- human health (SIC division 86), and is not marked as another kind of body, may be matched by
        -- its address; by a merely similar name only if it is not a charity's either ("trust" alone
        -- proves nothing: academy trusts are public-sector employers too)
        (
            returns.is_public_sector
            and (
                coalesce(word_flags.has_nhs_word, false)
                or {{ dbt.concat(["','", "coalesce(returns.sic_codes, '')"]) }} like '%,86%'
            )
            and not coalesce(word_flags.has_non_trust_word, false)
        ) as may_match_by_address,
        (
            returns.is_public_sector
            and (
                coalesce(word_flags.has_nhs_word, false)
                or {{ dbt.concat(["','", "coalesce(returns.sic_codes, '')"]) }} like '%,86%'
            )
            and not coalesce(word_flags.has_non_trust_word, false)
            and not coalesce(word_flags.has_charity_word, false)
        ) as may_match_by_similar_name
    from returns
    left join word_flags
        on returns.employer_id = word_flags.employer_id and returns.reporting_year = word_flags.reporting_year
)

select * from flagged
