"""One module per source system; each builds its landing assets and checks from its contracts."""

from orchestration.sources import (
    datix,
    er,
    esr,
    geography,
    gov_uk_gpg,
    mhclg,
    nets,
    nhs_digital,
    ods,
    ons,
    staff_survey,
    tis,
    trac,
    training,
)

SOURCE_SYSTEMS = (esr, trac, er, datix, training, staff_survey, tis, nets, ods, ons, mhclg, geography,
                  gov_uk_gpg, nhs_digital)
SOURCE_ASSETS = [a for module in SOURCE_SYSTEMS for a in module.ASSETS]
SOURCE_CHECKS = [c for module in SOURCE_SYSTEMS for c in module.CHECKS]
