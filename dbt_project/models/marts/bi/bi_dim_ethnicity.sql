-- bi_dim_ethnicity: how each ESR ethnic category code rolls up to the groups the measures report.
select
    cast(ethnicity_key as {{ dbt.type_string() }}) as ethnicity_key,
    cast(ethnic_category_code as {{ dbt.type_string() }}) as ethnic_category_code,
    cast(ethnic_category_label as {{ dbt.type_string() }}) as ethnic_category_label,
    cast(national_code as {{ dbt.type_string() }}) as national_code,
    cast(nhs2001_label as {{ dbt.type_string() }}) as nhs2001_label,
    cast(nhs2001_group as {{ dbt.type_string() }}) as nhs2001_group,
    cast(census_2021_category as {{ dbt.type_string() }}) as census_2021_category,
    cast(census_2021_harmonised_group as {{ dbt.type_string() }}) as census_2021_harmonised_group,
    cast(ethnicity_group_5 as {{ dbt.type_string() }}) as ethnicity_group_5,
    cast(wres_group as {{ dbt.type_string() }}) as wres_group,
    cast(is_white_british as boolean) as is_white_british,
    cast(is_known as boolean) as is_known,
    cast(sort_order as int) as sort_order,
    cast(is_unknown_member as boolean) as is_unknown_member
from {{ ref('dim_ethnicity') }}
