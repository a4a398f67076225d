{{ config(contract={'enforced': true}) }}
{%- set max_words = 16 -%}
{%- set lower_words = ['AND', 'OF', 'FOR', 'UPON', 'THE', 'ON', 'IN', 'AT'] -%}
{%- set upper_words = ['NHS'] -%}
{%- set word_parts = [] -%}
{%- for i in range(1, max_words + 1) -%}
    {%- set w = "coalesce(" ~ dbt.split_part('trust_name', "' '", i) ~ ", '')" -%}
    {%- set cased -%}
        case
            when {{ w }} = '' then ''
            when {{ w }} in ('{{ upper_words | join("', '") }}') then {{ w }}
            {%- if i > 1 %}
            when {{ w }} in ('{{ lower_words | join("', '") }}') then lower({{ w }})
            {%- endif %}
            else {{ dbt.concat(["upper(substring(" ~ w ~ ", 1, 1))", "lower(substring(" ~ w ~ ", 2))"]) }}
        end
    {%- endset -%}
    {%- if i > 1 -%}{%- do word_parts.append("' '") -%}{%- endif -%}
    {%- do word_parts.append(cased) -%}
{%- endfor %}

-- Trusts of the ODS trust file, and those only NHS Digital's workforce file lists (care trusts such as
-- TAF Camden and Islington: no region, ICB or headquarters in the bundled files).
with trusts as (
    select trust_code, trust_name, nhs_region_code, icb_ods_code, gor_code, open_date, close_date,
        true as is_in_ods_trust_file
    from {{ ref('stg_ods__trusts') }}
    union all
    select trust_code, trust_name, cast(null as {{ dbt.type_string() }}), cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}), open_date, close_date, false
    from {{ ref('int_trust_codes_unioned') }}
    where not is_in_ods_trust_file
),

-- NHS England region names by ODS code (the ODS trust file carries the code only).
regions as (
    select distinct
        nhs_region21_ods_code as nhs_region_code,
        nhs_region21_name as nhs_region_name
    from {{ ref('stg_ods__trust_regions') }}
    where nhs_region21_name is not null
),

overrides as (
    select
        upper(trim(trust_code)) as trust_code,
        lower(trim(trust_type)) as trust_type
    from {{ ref('ref_trust_type_override') }}
),

-- Display name: ODS names are upper case. Each space-separated word is capitalised, except NHS (kept
-- upper case) and short joining words (and, of, for, upon, the, on, in, at) after the first word.
named as (
    select
        trust_code,
        trim({{ dbt.concat(word_parts) }}) as trust_display_name
    from trusts
),

typed as (
    select
        trusts.trust_code,
        case
            when overrides.trust_type is not null then overrides.trust_type
            when upper(trusts.trust_name) like '%AMBULANCE%' then 'ambulance'
            when upper(trusts.trust_name) like '%MENTAL HEALTH%'
                or upper(trusts.trust_name) like '%LEARNING DISABILIT%'
                or upper(trusts.trust_name) like '%PARTNERSHIP%' then 'mental health'
            when upper(trusts.trust_name) like '%COMMUNITY%'
                or upper(trusts.trust_name) like '%CARE SERVICES%'
                or upper(trusts.trust_name) like '% HEALTH AND CARE %' then 'community'
            when upper(trusts.trust_name) like '%CHILDREN%'
                or upper(trusts.trust_name) like '%WOMEN%'
                or upper(trusts.trust_name) like '%ORTHOPAEDIC%'
                or upper(trusts.trust_name) like '%CANCER%'
                or upper(trusts.trust_name) like '%EYE HOSPITAL%'
                or upper(trusts.trust_name) like '%HEART AND CHEST%'
                or upper(trusts.trust_name) like '%RHEUMATIC%' then 'specialist'
            else 'acute'
        end as trust_type,
        case when overrides.trust_type is not null then 'override' else 'name rule' end as trust_type_source
    from trusts
    left join overrides on trusts.trust_code = overrides.trust_code
),

organisations as (
    select
        trusts.trust_code,
        trusts.trust_name,
        named.trust_display_name,
        case when trusts.gor_code = 'W' then 'Wales' else 'England' end as country,
        trusts.nhs_region_code,
        regions.nhs_region_name,
        trusts.icb_ods_code,
        icbs.icb_ons_code,
        icbs.icb_name,
        trusts.open_date,
        trusts.close_date,
        -- a trust outside the ODS trust file with no recorded succession out of it: open or not is unknown
        case
            when trusts.close_date is not null then false
            when trusts.is_in_ods_trust_file then true
        end as is_open,
        trusts.is_in_ods_trust_file,
        successors.successor_trust_code,
        typed.trust_type,
        typed.trust_type_source,
        catchment.catchment_population,
        catchment.pop_share_white,
        catchment.pop_share_mixed,
        catchment.pop_share_asian,
        catchment.pop_share_black,
        catchment.pop_share_other,
        catchment.pop_share_bme,
        catchment.imd_score as catchment_imd_score,
        sized.workforce_fte_june_2018,
        case
            when sized.workforce_fte_june_2018 is null then 'unknown'
            when sized.workforce_fte_june_2018 < 3000 then 'small'
            when sized.workforce_fte_june_2018 < 6000 then 'medium'
            else 'large'
        end as size_band,
        false as is_unknown_member
    from trusts
    inner join named on trusts.trust_code = named.trust_code
    inner join typed on trusts.trust_code = typed.trust_code
    left join regions on trusts.nhs_region_code = regions.nhs_region_code
    left join {{ ref('stg_ods__icbs') }} as icbs on trusts.icb_ods_code = icbs.icb_ods_code
    left join {{ ref('int_trust_successor_resolved') }} as successors on trusts.trust_code = successors.trust_code
    left join {{ ref('int_icb_catchment_profiled') }} as catchment on trusts.icb_ods_code = catchment.icb_ods_code
    left join {{ ref('int_trust_workforce_sized') }} as sized on trusts.trust_code = sized.trust_code
),

unknown_member as (
    select
        'UNKNOWN' as trust_code,
        'UNKNOWN' as trust_name,
        'Unknown' as trust_display_name,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as {{ dbt.type_string() }}) as nhs_region_code,
        cast(null as {{ dbt.type_string() }}) as nhs_region_name,
        cast(null as {{ dbt.type_string() }}) as icb_ods_code,
        cast(null as {{ dbt.type_string() }}) as icb_ons_code,
        cast(null as {{ dbt.type_string() }}) as icb_name,
        cast(null as date) as open_date,
        cast(null as date) as close_date,
        cast(null as boolean) as is_open,
        cast(null as boolean) as is_in_ods_trust_file,
        cast(null as {{ dbt.type_string() }}) as successor_trust_code,
        'unknown' as trust_type,
        'unknown member' as trust_type_source,
        cast(null as bigint) as catchment_population,
        cast(null as double) as pop_share_white,
        cast(null as double) as pop_share_mixed,
        cast(null as double) as pop_share_asian,
        cast(null as double) as pop_share_black,
        cast(null as double) as pop_share_other,
        cast(null as double) as pop_share_bme,
        cast(null as double) as catchment_imd_score,
        cast(null as double) as workforce_fte_june_2018,
        'unknown' as size_band,
        true as is_unknown_member
),

unioned as (
    select * from organisations
    union all
    select * from unknown_member
)

select
    cast(trust_code as {{ dbt.type_string() }}) as trust_code,
    cast(trust_name as {{ dbt.type_string() }}) as trust_name,
    cast(trust_display_name as {{ dbt.type_string() }}) as trust_display_name,
    cast(country as {{ dbt.type_string() }}) as country,
    cast(nhs_region_code as {{ dbt.type_string() }}) as nhs_region_code,
    cast(nhs_region_name as {{ dbt.type_string() }}) as nhs_region_name,
    cast(icb_ods_code as {{ dbt.type_string() }}) as icb_ods_code,
    cast(icb_ons_code as {{ dbt.type_string() }}) as icb_ons_code,
    cast(icb_name as {{ dbt.type_string() }}) as icb_name,
    cast(open_date as date) as open_date,
    cast(close_date as date) as close_date,
    cast(is_open as boolean) as is_open,
    cast(is_in_ods_trust_file as boolean) as is_in_ods_trust_file,
    cast(successor_trust_code as {{ dbt.type_string() }}) as successor_trust_code,
    cast(trust_type as {{ dbt.type_string() }}) as trust_type,
    cast(trust_type_source as {{ dbt.type_string() }}) as trust_type_source,
    cast(catchment_population as bigint) as catchment_population,
    cast(pop_share_white as double) as pop_share_white,
    cast(pop_share_mixed as double) as pop_share_mixed,
    cast(pop_share_asian as double) as pop_share_asian,
    cast(pop_share_black as double) as pop_share_black,
    cast(pop_share_other as double) as pop_share_other,
    cast(pop_share_bme as double) as pop_share_bme,
    cast(catchment_imd_score as double) as catchment_imd_score,
    cast(workforce_fte_june_2018 as double) as workforce_fte_june_2018,
    cast(size_band as {{ dbt.type_string() }}) as size_band,
    cast(is_unknown_member as boolean) as is_unknown_member
from unioned
