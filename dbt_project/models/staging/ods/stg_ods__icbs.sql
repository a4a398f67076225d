with source as (
    select * from {{ source('raw', 'ods_icb') }}
)

select
    upper(trim(icb_ods_code)) as icb_ods_code,
    upper(trim(icb_ons_code)) as icb_ons_code,
    trim(icb_name) as icb_name,
    _source_file,
    _row_number
from source
