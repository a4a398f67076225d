{{ config(contract={'enforced': true}) }}

-- bi_differential_attainment: the differential-attainment rows (standard DA) of bi_edi_measure, for BI
-- users who work one standard at a time.
select *
from {{ ref('bi_edi_measure') }}
where standard in ('DA')
