{{ config(contract={'enforced': true}) }}

-- bi_representation: the REP/HIA2 rows of bi_edi_measure, for BI users who work one standard at a time.
select *
from {{ ref('bi_edi_measure') }}
where standard in ('REP', 'HIA2')
