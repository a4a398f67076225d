{{ config(contract={'enforced': true}) }}

-- bi_wres: the WRES rows of bi_edi_measure, for BI users who work one standard at a time.
select *
from {{ ref('bi_edi_measure') }}
where standard in ('WRES')
