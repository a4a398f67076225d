"""Staff-group calibration derived from NHS Digital's June 2018 HCHS workforce file.

The bundled .xlsx needs openpyxl, which is not a project dependency, so the few numbers needed
(FTE per trust and staff group, and how much of it is non-UK nationality) are kept in the committed
reference file `hchs_fte_by_trust_staff_group_june2018.csv`. The generator calibrates on it and the
warehouse lands it (contract nhsd_workforce_fte) for trust size. Rebuild it (in an environment that
has openpyxl) with:

    python -m orchestration.synthetic.calibration
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from orchestration.settings import REFERENCE_DATA_DIR

WORKFORCE_XLSX = (
    REFERENCE_DATA_DIR
    / "nhs-digital-workforce"
    / "hchs-staff-by-staff-group-nationality-and-organisation-september-2017-and-june-2018.xlsx"
)
CALIBRATION_CSV = REFERENCE_DATA_DIR / "nhs-digital-workforce" / "hchs_fte_by_trust_staff_group_june2018.csv"
MONTH = "2018-JUN"
UK_NATIONALITIES = {"British", "English", "Welsh", "Scottish", "Northern Irish"}


def build_calibration_csv(xlsx: Path = WORKFORCE_XLSX, out: Path = CALIBRATION_CSV) -> pd.DataFrame:
    """Sum FTE by trust and staff group for June 2018 and write the compact CSV."""
    data = pd.read_excel(xlsx, sheet_name="Data")
    data = data[(data["Month"] == MONTH) & data["Organisation code"].str.match(r"^[RT][A-Z0-9]{2}$")]
    known = ~data["Nationality"].isin(["Unknown"])
    data = data.assign(
        fte_known=data["FTE"].where(known, 0.0),
        fte_non_uk=data["FTE"].where(known & ~data["Nationality"].isin(UK_NATIONALITIES), 0.0),
    )
    table = (
        data.groupby(["Organisation code", "Organisation name", "Staff group"], as_index=False)
        [["FTE", "fte_known", "fte_non_uk"]].sum()
        .rename(columns={"Organisation code": "org_code", "Organisation name": "org_name",
                         "Staff group": "staff_group", "FTE": "fte"})
        .sort_values(["org_code", "staff_group"])
    )
    table[["fte", "fte_known", "fte_non_uk"]] = table[["fte", "fte_known", "fte_non_uk"]].round(1)
    table.to_csv(out, index=False)
    return table


@cache
def staff_group_fte() -> pd.DataFrame:
    """FTE by trust (2018 code) and HCHS staff group: org_code, org_name, staff_group, fte, fte_known, fte_non_uk."""
    return pd.read_csv(CALIBRATION_CSV, dtype={"org_code": str})


if __name__ == "__main__":
    built = build_calibration_csv()
    print(f"wrote {CALIBRATION_CSV} ({len(built)} rows, {built['org_code'].nunique()} trusts)")
