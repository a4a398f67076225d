"""fct_peer_benchmark through the real model (metrics-spec §11) on hand-made trusts: every comparison set
equals the spec's definition counted by brute force in Python, and the work grows linearly with the trusts
(the trust-by-trust join it once made filled 30 GB of spill at national scale)."""

import json
import math
from datetime import date

import pytest

from tests.metrics.model_harness import compile_models, create_from_contract, create_schemas, materialise, query

FY = date(2024, 3, 31)
MIN_N = 5  # var('peer_min_n_for_percentile')
PEERS_PER_TRUST = 3
KEY = ("fy_end", "measure_id", "variant", "breakdown_type", "breakdown_value", "group_dimension", "group_value")


def trust(i: int) -> str:
    return f"T{i:03d}"


def region(i: int) -> str | None:
    """Three regions of unequal size, and one trust without a region."""
    return None if i == 0 else ("R1", "R2", "R2", "R3", "R3", "R3")[i % 6]


def measure_rows(n_trusts: int) -> list[dict]:
    """Per trust: a share (higher is better) with ties, a relative likelihood (0 has no favourability),
    a measure without a direction (never benchmarked) and the computed median pay gap."""
    rows = []
    for i in range(n_trusts):
        org = trust(i)
        base = {"organisation_code": org, "period_type": "financial_year", "period_end": FY, "fy_end": FY,
                "variant": "default", "breakdown_type": "overall", "breakdown_value": "all"}
        rows += [
            {**base, "measure_id": "share_a", "group_dimension": "ethnicity", "group_value": "BME",
             "value": float(i % 4), "measure_kind": "share", "higher_is_better": True},
            {**base, "measure_id": "rl_b", "group_dimension": "ethnicity", "group_value": "BME",
             "value": 0.0 if i % 7 == 3 else 0.7 + (i % 5) * 0.15, "measure_kind": "relative_likelihood",
             "higher_is_better": None},
            {**base, "measure_id": "count_c", "group_dimension": "ethnicity", "group_value": "BME",
             "value": float(i), "measure_kind": "count", "higher_is_better": None},
            {**base, "measure_id": "pay_gap_median_hourly_pct", "group_dimension": "sex", "group_value": "female",
             "value": float(i % 6) + 2.0, "measure_kind": "pay_gap", "higher_is_better": False},
        ]
    return rows


def published_rows(n_trusts: int) -> list[dict]:
    """GOV.UK returns of the latest year for every other trust and one outside the warehouse, one trust
    filing twice, one return without a median; an older year that must not count."""
    rows = [{"employer_id": i, "reporting_year": "2023-24", "organisation_code": trust(i),
             "median_hourly_gap_pct": float(i % 5) + 1.5} for i in range(0, n_trusts, 2)]
    rows += [{"employer_id": 9001, "reporting_year": "2023-24", "organisation_code": "OUT01", "median_hourly_gap_pct": 4.0},
             {"employer_id": 9002, "reporting_year": "2023-24", "organisation_code": trust(2),
              "median_hourly_gap_pct": 9.5},
             {"employer_id": 9003, "reporting_year": "2023-24", "organisation_code": trust(1),
              "median_hourly_gap_pct": None},
             {"employer_id": 9004, "reporting_year": "2022-23", "organisation_code": trust(3),
              "median_hourly_gap_pct": 0.0}]
    return rows


def peer_rows(n_trusts: int) -> list[dict]:
    return [{"trust_code": trust(i), "fy_end": FY, "peer_trust_code": trust((i + step) % n_trusts),
             "peer_rank": step, "distance": float(step), "trust_type": "acute"}
            for i in range(n_trusts) for step in range(1, PEERS_PER_TRUST + 1)]


def load(db, n_trusts: int) -> None:
    create_schemas(db)
    create_from_contract(db, "dim_organisation", [{"trust_code": trust(i), "nhs_region_code": region(i)}
                                                  for i in range(n_trusts)])
    create_from_contract(db, "fct_edi_measure", measure_rows(n_trusts))
    create_from_contract(db, "dim_trust_peer", peer_rows(n_trusts))
    create_from_contract(db, "fct_gender_pay_gap_published", published_rows(n_trusts))


@pytest.fixture(scope="module")
def model_sql(macros) -> str:
    return compile_models(macros, ["fct_peer_benchmark"])["fct_peer_benchmark"]


def favourability(row: dict) -> float | None:
    if row["measure_kind"] == "relative_likelihood":
        return -abs(math.log(row["value"])) if row["value"] else None
    if row["higher_is_better"] is None:
        return None
    return row["value"] if row["higher_is_better"] else -row["value"]


def ranked(subject: float | None, others: list[float | None]) -> tuple[int, int, float | None]:
    """The spec's set statistics: the subject and its members; None is never less favourable."""
    size = 1 + len(others)
    less = sum(1 for m in others if m is not None and subject is not None and m < subject)
    return size, less, (100 * less / (size - 1) if size >= MIN_N else None)


def expected_benchmark(n_trusts: int) -> dict[tuple, tuple]:
    """Every (trust, set, measure row) -> (set_size, less favourable, percentile), member by member."""
    rows = [r for r in measure_rows(n_trusts)
            if r["measure_kind"] == "relative_likelihood" or r["higher_is_better"] is not None]
    peers = {}
    for p in peer_rows(n_trusts):
        peers.setdefault(p["trust_code"], set()).add(p["peer_trust_code"])
    latest = max(r["reporting_year"] for r in published_rows(n_trusts))
    filings = {}
    for r in published_rows(n_trusts):
        if r["reporting_year"] == latest:
            filings.setdefault(r["organisation_code"], []).append(r["median_hourly_gap_pct"])
    published = {org: (None if None in gaps else -sum(gaps) / len(gaps)) for org, gaps in filings.items()}
    regions = {trust(i): region(i) for i in range(n_trusts)}
    expected = {}
    for s in rows:
        same = [m for m in rows if all(m[k] == s[k] for k in KEY) and m["organisation_code"] != s["organisation_code"]]
        org = s["organisation_code"]
        sets = {"england": same, "peers": [m for m in same if m["organisation_code"] in peers[org]]}
        if regions[org] is not None:
            sets["region"] = [m for m in same if regions[m["organisation_code"]] == regions[org]]
        for name, members in sets.items():
            expected[(org, name, s["measure_id"])] = ranked(favourability(s), [favourability(m) for m in members])
        if s["measure_id"] == "pay_gap_median_hourly_pct":
            others = [f for code, f in published.items() if code != org]
            expected[(org, "england_published_gpg", s["measure_id"])] = ranked(favourability(s), others)
    return expected


def test_every_comparison_set_matches_the_spec_counted_member_by_member(db, model_sql):
    load(db, 14)
    materialise(db, "fct_peer_benchmark", model_sql)
    got = {(r["organisation_code"], r["comparison_set"], r["measure_id"]):
           (r["set_size"], r["less_favourable_members"], r["percentile"])
           for r in query(db, "select * from marts.fct_peer_benchmark")}
    expected = expected_benchmark(14)
    assert got.keys() == expected.keys()
    for key, (size, less, percentile) in expected.items():
        assert got[key][:2] == (size, less), key
        assert got[key][2] == pytest.approx(percentile), key


def largest_intermediate(db, sql: str) -> int:
    """The most rows any operator of the query produced (DuckDB's own profile of one run)."""
    db.execute("pragma enable_profiling = 'no_output'")
    materialise(db, "fct_peer_benchmark", sql)
    profile = json.loads(db.get_profiling_information(format="json"))
    db.execute("pragma disable_profiling")

    def rows(node: dict) -> int:
        return max([node.get("intermediate_rows", 0), *(rows(child) for child in node.get("children", []))])

    return max(rows(node) for node in profile["operator"])


def test_doubling_the_trusts_doubles_the_work_not_quadruples_it(db, model_sql):
    sizes = {}
    for n_trusts in (60, 120):
        load(db, n_trusts)
        sizes[n_trusts] = largest_intermediate(db, model_sql)
    # Linear work doubles (the output itself has 4 rows per trust and set); a join of every trust to
    # every other with the same measure row would quadruple.
    assert sizes[120] <= 2.2 * sizes[60], sizes


def withheld(row: dict) -> bool:
    """The BI extract withholds some trusts' shares and RLs (disclosure control)."""
    return row["measure_id"] in ("share_a", "rl_b") and int(row["organisation_code"][1:]) % 5 == 2


def load_bi(db, n_trusts: int, withheld_value: float) -> None:
    """bi_edi_measure: every measure row, the withheld ones still carrying their exact value inside
    the warehouse (`withheld_value`: what the test varies)."""
    load(db, n_trusts)
    rows = [{**r, "is_suppressed": withheld(r), "value": withheld_value if withheld(r) else r["value"]}
            for r in measure_rows(n_trusts)]
    create_from_contract(db, "bi_edi_measure", rows)


def test_bi_percentiles_rank_the_published_values_only_so_a_withheld_value_never_moves_them(db, macros):
    """Ranking withheld values would tell a BI user on which side of each published value a withheld
    one lies; the BI percentiles must be those of the spec over the published members alone."""
    bi_sql = compile_models(macros, ["bi_peer_benchmark"])["bi_peer_benchmark"]
    outputs = []
    for withheld_value in (0.01, 50.0):
        load_bi(db, 14, withheld_value)
        materialise(db, "bi_peer_benchmark", bi_sql)
        outputs.append(query(db, "select * from bi.bi_peer_benchmark order by all"))
    assert outputs[0] == outputs[1]

    published = [r for r in measure_rows(14) if not withheld(r)]
    got = {(r["organisation_code"], r["comparison_set"], r["measure_id"]):
           (r["set_size"], r["less_favourable_members"]) for r in outputs[0]}
    share_sets = {k: v for k, v in got.items() if k[2] == "share_a" and k[1] == "england"}
    expected_size = sum(1 for r in published if r["measure_id"] == "share_a")
    assert share_sets and {size for size, _ in share_sets.values()} == {expected_size}
    for (org, _, _), (_, less) in share_sets.items():
        own = next(r["value"] for r in published if r["measure_id"] == "share_a" and r["organisation_code"] == org)
        assert less == sum(1 for r in published if r["measure_id"] == "share_a" and r["value"] < own)
    assert not any(withheld({"measure_id": k[2], "organisation_code": k[0]}) for k in got)
