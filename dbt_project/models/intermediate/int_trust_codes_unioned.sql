-- Every NHS trust code in the bundled files: the ODS trust file (name, headquarters postcode, open and
-- close dates), plus the trusts found only in NHS Digital's June 2018 workforce file (care trusts with
-- T codes such as TAF Camden and Islington, which the ODS trust file leaves out). For those, the dates
-- come from the ODS successor file: open from the first succession into the code, closed the day
-- before the first succession out of it; null when the file has none (the file ends in April 2022).
with ods_trusts as (
    select
        trust_code,
        trust_name,
        postcode,
        open_date,
        close_date,
        true as is_in_ods_trust_file
    from {{ ref('stg_ods__trusts') }}
),

nhsd_trusts as (
    select org_code as trust_code, max(org_name) as trust_name
    from {{ ref('stg_nhs_digital__workforce_fte') }}
    group by org_code
),

successions as (
    select predecessor_code, successor_code, succession_date
    from {{ ref('stg_ods__trust_successors') }}
    where not is_self_succession
),

first_in as (
    select successor_code as trust_code, min(succession_date) as first_succession_in
    from successions
    group by successor_code
),

first_out as (
    select predecessor_code as trust_code, min(succession_date) as first_succession_out
    from successions
    group by predecessor_code
),

nhsd_only_trusts as (
    select
        n.trust_code,
        upper(n.trust_name) as trust_name,
        cast(null as {{ dbt.type_string() }}) as postcode,
        first_in.first_succession_in as open_date,
        cast({{ dbt.dateadd('day', -1, 'first_out.first_succession_out') }} as date) as close_date,
        false as is_in_ods_trust_file
    from nhsd_trusts as n
    left join ods_trusts as o on n.trust_code = o.trust_code
    left join first_in on n.trust_code = first_in.trust_code
    left join first_out on n.trust_code = first_out.trust_code
    where o.trust_code is null
)

select * from ods_trusts
union all
select * from nhsd_only_trusts
