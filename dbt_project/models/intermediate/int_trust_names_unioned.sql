-- Every name a trust code carries in the bundled files, one row per code and file: the ODS trust file
-- (today's name), the 2022 trust-to-region lookup, the 2021 trust-to-STP lookup and NHS Digital's June
-- 2018 workforce file. The older names let a return filed under a name since changed meet its trust
-- (RM3 was Salford Royal NHS Foundation Trust in 2018; RXY was Kent and Medway NHS and Social Care
-- Partnership Trust until 2024).
with named as (
    select trust_code, 'ods_trust_file' as name_source, trust_name
    from {{ ref('stg_ods__trusts') }}
    union all
    select trust_code, 'ods_region_lookup_2022', trust_name
    from {{ ref('stg_ods__trust_regions') }}
    union all
    select trust_code, 'stp_lookup_2021', trust_name
    from {{ ref('stg_geography__trust_stp_lookup') }}
    union all
    select org_code, 'nhs_digital_workforce_2018', max(org_name)
    from {{ ref('stg_nhs_digital__workforce_fte') }}
    group by org_code
)

select
    named.trust_code,
    named.name_source,
    named.trust_name,
    {{ normalise_org_name('named.trust_name') }} as normalised_name,
    {{ normalise_org_name('named.trust_name', drop_generic_words=true) }} as core_name
from named
inner join {{ ref('int_trust_codes_unioned') }} as trusts on named.trust_code = trusts.trust_code
where named.trust_name is not null
