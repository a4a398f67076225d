with source as (
    select * from {{ source('raw', 'datix_incident') }}
),

renamed as (
    select
        upper(nullif(trim(incident_ref), '')) as incident_ref,
        {{ contract_cast('datix_incident', 'link_seq') }} as link_seq,
        upper(nullif(trim(organisation_code), '')) as organisation_code,
        cast(incident_date as date) as incident_date,
        {{ dbt.replace("nullif(trim(incident_time), '')", "':'", "''") }} as incident_time_hhmm,
        cast(reported_date as date) as reported_date,
        nullif(trim(site), '') as site,
        nullif(trim(directorate), '') as directorate,
        nullif(trim(location), '') as location,
        nullif(trim(incident_type), '') as incident_type,
        nullif(trim(category), '') as category,
        nullif(trim(subcategory), '') as subcategory,
        upper(nullif(trim(harm), '')) as harm,
        staff_employee_number as employee_key,
        staff_email as email_key,
        upper(nullif(trim(perpetrator), '')) as perpetrator,
        upper(trim(discriminatory)) = 'Y' as is_discriminatory,
        upper(trim(police_informed)) = 'Y' as is_police_informed,
        upper(trim(riddor)) = 'Y' as is_riddor_reportable,
        {{ contract_cast('datix_incident', 'days_lost') }} as days_lost,
        upper(nullif(trim(approval_status), '')) as approval_status,
        _source_file,
        _row_number
    from source
),

standardised as (
    select
        incident_ref,
        link_seq,
        organisation_code,
        incident_date,
        case
            when incident_time_hhmm is not null then
                {{ dbt.concat(["substring(incident_time_hhmm, 1, 2)", "':'", "substring(incident_time_hhmm, 3, 2)"]) }}
        end as incident_time,
        reported_date,
        site,
        directorate,
        location,
        incident_type,
        upper(incident_type) as incident_type_code,
        category,
        upper(category) as category_code,
        subcategory,
        upper(subcategory) as subcategory_code,
        harm,
        employee_key,
        email_key,
        perpetrator,
        is_discriminatory,
        is_police_informed,
        is_riddor_reportable,
        days_lost,
        approval_status,
        _source_file,
        _row_number
    from renamed
)

select * from standardised
