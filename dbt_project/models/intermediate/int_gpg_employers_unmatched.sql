-- NHS-looking GOV.UK gender pay gap returns that int_gpg_employers_matched could not pair with an ODS trust.
select
    employer_id,
    reporting_year,
    snapshot_date,
    employer_name,
    current_employer_name,
    postcode,
    normalised_name,
    case
        when is_non_trust_body then 'nhs_body_not_a_trust'
        else 'trust_not_in_ods_trust_file'
    end as unmatched_reason
from {{ ref('int_gpg_employers_matched') }}
where not is_matched
