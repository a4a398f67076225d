{{ config(materialized="table") }}
-- A table, not a view: the name matching is the costliest SQL of a small refresh, and as a view it
-- ran again for each of its tests and each model reading it (≈ 20 times a run).

{%- set max_successor_hops = 3 -%}
-- Every trust a GOV.UK pay-gap return could be, with the evidence, for int_gpg_employers_matched to
-- choose from. Evidence, strongest first (method_rank):
--   1 exact_name / 2 exact_current_name: the filed / current name equals a name of the trust in any
--     bundled file (int_trust_names_unioned) after normalise_org_name;
--   3 core_name / 4 core_current_name: the same once NHS, FOUNDATION and TRUST are dropped;
--   5 postcode_and_name: the registered postcode is the trust's ODS headquarters postcode and the
--     names share a distinctive word (trust subsidiaries, commissioners and hosted bodies share
--     trust addresses, so the postcode alone proves nothing);
--   6 similar_name: the names share a distinctive word and their word similarity (shared words over
--     all words, seed ref_org_name_word) is at least var('gpg_min_name_similarity');
--   7 alias: seed ref_gpg_employer_alias, a reviewed last resort.
-- Step 5 is open only to returns flagged may_match_by_address, step 6 to those flagged
-- may_match_by_similar_name (int_gpg_employers_screened).
-- A trust fits a return only if it was open at the return's snapshot date. When the evidence points
-- at a trust that had closed by then, the ODS successions dated on or before the snapshot are followed
-- (up to {{ max_successor_hops }} hops) to the trust that was open, and '+successor' is added to the
-- method; if none is found, the row is kept with a null trust_code so the reason can be reported.
with screened as (
    select * from {{ ref('int_gpg_employers_screened') }}
),

trusts as (
    select
        trust_code,
        open_date,
        close_date,
        {{ dbt.replace('postcode', "' '", "''") }} as postcode_key
    from {{ ref('int_trust_codes_unioned') }}
),

trust_names as (
    select trust_code, name_source, normalised_name, core_name
    from {{ ref('int_trust_names_unioned') }}
),

word_classes as (
    select word, word_class from {{ ref('ref_org_name_word') }}
),

name_hits as (
    select s.employer_id, s.reporting_year, n.trust_code, 'exact_name' as match_method, 1 as method_rank
    from screened as s
    inner join trust_names as n on s.normalised_name = n.normalised_name
    union all
    select s.employer_id, s.reporting_year, n.trust_code, 'exact_current_name', 2
    from screened as s
    inner join trust_names as n on s.normalised_current_name = n.normalised_name
    union all
    select s.employer_id, s.reporting_year, n.trust_code, 'core_name', 3
    from screened as s
    inner join trust_names as n on s.core_name = n.core_name
    where {{ dbt.length('s.core_name') }} > 0
    union all
    select s.employer_id, s.reporting_year, n.trust_code, 'core_current_name', 4
    from screened as s
    inner join trust_names as n on s.core_current_name = n.core_name
    where {{ dbt.length('s.core_current_name') }} > 0
),

-- word similarity, only for the returns the word-based steps may match
word_matchable as (
    select employer_id, reporting_year, normalised_name, postcode_key, may_match_by_address,
        may_match_by_similar_name
    from screened
    where may_match_by_address or may_match_by_similar_name
),

employer_words as (
    select w.employer_id, w.reporting_year, w.word, c.word_class is null as is_distinctive
    from ({{ org_name_words('word_matchable', ['employer_id', 'reporting_year'], 'normalised_name') }}) as w
    left join word_classes as c on w.word = c.word
    where c.word_class is null or c.word_class <> 'ignored'
),

trust_words as (
    select w.trust_code, w.name_source, w.word
    from ({{ org_name_words('trust_names', ['trust_code', 'name_source'], 'normalised_name') }}) as w
    left join word_classes as c on w.word = c.word
    where c.word_class is null or c.word_class <> 'ignored'
),

employer_word_counts as (
    select employer_id, reporting_year, count(*) as word_count
    from employer_words
    group by employer_id, reporting_year
),

trust_word_counts as (
    select trust_code, name_source, count(*) as word_count
    from trust_words
    group by trust_code, name_source
),

shared_words as (
    select
        e.employer_id,
        e.reporting_year,
        t.trust_code,
        t.name_source,
        count(*) as shared_word_count,
        sum(case when e.is_distinctive then 1 else 0 end) as shared_distinctive_word_count
    from employer_words as e
    inner join trust_words as t on e.word = t.word
    group by e.employer_id, e.reporting_year, t.trust_code, t.name_source
),

-- the best-matching name of each trust that shares a distinctive word with the return
name_similarity as (
    select
        s.employer_id,
        s.reporting_year,
        s.trust_code,
        max(
            cast(s.shared_word_count as double)
            / (ec.word_count + tc.word_count - s.shared_word_count)
        ) as name_similarity
    from shared_words as s
    inner join employer_word_counts as ec
        on s.employer_id = ec.employer_id and s.reporting_year = ec.reporting_year
    inner join trust_word_counts as tc
        on s.trust_code = tc.trust_code and s.name_source = tc.name_source
    where s.shared_distinctive_word_count > 0
    group by s.employer_id, s.reporting_year, s.trust_code
),

word_hits as (
    select w.employer_id, w.reporting_year, t.trust_code, 'postcode_and_name' as match_method, 5 as method_rank,
        sim.name_similarity
    from word_matchable as w
    inner join trusts as t on w.postcode_key = t.postcode_key
    inner join name_similarity as sim
        on w.employer_id = sim.employer_id and w.reporting_year = sim.reporting_year
        and t.trust_code = sim.trust_code
    where w.may_match_by_address
    union all
    select w.employer_id, w.reporting_year, sim.trust_code, 'similar_name', 6, sim.name_similarity
    from word_matchable as w
    inner join name_similarity as sim
        on w.employer_id = sim.employer_id and w.reporting_year = sim.reporting_year
    where w.may_match_by_similar_name
        and sim.name_similarity >= {{ var('gpg_min_name_similarity') }}
),

alias_hits as (
    select s.employer_id, s.reporting_year, a.trust_code, 'alias' as match_method, 7 as method_rank
    from screened as s
    inner join {{ ref('ref_gpg_employer_alias') }} as a on s.normalised_name = a.normalised_employer_name
),

hits as (
    select employer_id, reporting_year, trust_code, match_method, method_rank,
        cast(null as double) as name_similarity
    from name_hits
    union all
    select employer_id, reporting_year, trust_code, match_method, method_rank, name_similarity
    from word_hits
    union all
    select employer_id, reporting_year, trust_code, match_method, method_rank, cast(null as double)
    from alias_hits
),

-- several names of one trust can give the same evidence: one row per trust and method
distinct_hits as (
    select employer_id, reporting_year, trust_code, match_method, method_rank,
        max(name_similarity) as name_similarity
    from hits
    group by employer_id, reporting_year, trust_code, match_method, method_rank
),

dated as (
    select
        h.employer_id,
        h.reporting_year,
        s.snapshot_date,
        h.trust_code as evidence_trust_code,
        h.match_method,
        h.method_rank,
        h.name_similarity,
        {{ trust_open_on('t', 's.snapshot_date') }} as is_open_at_snapshot,
        t.close_date < s.snapshot_date as was_closed_by_snapshot
    from distinct_hits as h
    inner join screened as s on h.employer_id = s.employer_id and h.reporting_year = s.reporting_year
    inner join trusts as t on h.trust_code = t.trust_code
),

successions as (
    select predecessor_code, successor_code, succession_date
    from {{ ref('stg_ods__trust_successors') }}
    where not is_self_succession
),

-- from a trust closed by the snapshot, follow successions dated on or before it to the trust then open
walked as (
    select
        d.*
        {%- for hop in range(1, max_successor_hops + 1) %},
        hop_{{ hop }}.trust_code as hop_{{ hop }}_code,
        {{ trust_open_on('hop_' ~ hop, 'd.snapshot_date') }} as hop_{{ hop }}_is_open
        {%- endfor %}
    from dated as d
    {%- for hop in range(1, max_successor_hops + 1) %}
    {%- set previous_code = 'd.evidence_trust_code' if hop == 1 else 'hop_' ~ (hop - 1) ~ '.trust_code' %}
    {%- set previous_is_closed = 'd.was_closed_by_snapshot' if hop == 1 else 'hop_' ~ (hop - 1) ~ '.close_date < d.snapshot_date' %}
    left join successions as step_{{ hop }}
        on step_{{ hop }}.predecessor_code = {{ previous_code }}
        and {{ previous_is_closed }}
        and step_{{ hop }}.succession_date <= d.snapshot_date
    left join trusts as hop_{{ hop }} on step_{{ hop }}.successor_code = hop_{{ hop }}.trust_code
    {%- endfor %}
),

resolved as (
    select
        employer_id,
        reporting_year,
        snapshot_date,
        evidence_trust_code,
        case
            when is_open_at_snapshot then evidence_trust_code
            {%- for hop in range(1, max_successor_hops + 1) %}
            when hop_{{ hop }}_is_open then hop_{{ hop }}_code
            {%- endfor %}
        end as trust_code,
        case
            when is_open_at_snapshot then match_method
            {%- for hop in range(1, max_successor_hops + 1) %}
            when hop_{{ hop }}_is_open then {{ dbt.concat(['match_method', "'+successor'"]) }}
            {%- endfor %}
            else match_method
        end as match_method,
        method_rank,
        name_similarity,
        is_open_at_snapshot
    from walked
)

select distinct
    employer_id,
    reporting_year,
    snapshot_date,
    evidence_trust_code,
    trust_code,
    match_method,
    method_rank,
    name_similarity,
    is_open_at_snapshot
from resolved
