"""The contract loader accepts the repo's contracts and rejects what SQL must never see."""

import pytest

from orchestration.quality.contracts import ContractError, load_contracts
from tests.unit.contract_factory import column, make_contract


def test_every_repo_contract_loads_with_owner_cadence_and_descriptions():
    contracts = load_contracts()
    assert contracts, "no contracts found"
    for contract in contracts.values():
        assert contract.file_path.name == f"{contract.name}.odcs.yaml"
        assert contract.owner and contract.frequency and contract.grain and contract.description
        assert contract.primary_key, f"{contract.name} declares no primary key"
        for col in contract.columns:
            assert col.description, f"{contract.name}.{col.name} has no description"


def test_primary_key_follows_declared_positions():
    contract = make_contract([
        column("b", primaryKey=True, primaryKeyPosition=2),
        column("a", primaryKey=True, primaryKeyPosition=1),
        column("c"),
    ])
    assert contract.primary_key == ("a", "b")


@pytest.mark.parametrize("prop, message", [
    (column("Bad Name"), "lower-case snake_case"),
    (column("x; drop table y"), "lower-case snake_case"),
    (column("a", physicalType="VARCHAR); drop table y; --"), "physicalType"),
    (column("a", classification="secret"), "classification"),
    (column("a", notBefore="nowhere"), "unknown column"),
])
def test_unsafe_or_unknown_definitions_are_rejected(prop, message):
    with pytest.raises(ContractError, match=message):
        make_contract([prop])


def test_code_lists_patterns_and_pseudonymisation_are_read():
    contract = make_contract([
        column("code", valid_values=["A", "B"]),
        column("id", pattern="^[0-9]+$", pseudonymise=True),
        column("d", physicalType="date", format="%d/%m/%Y", minimum="1990-01-01", maximum="today"),
    ])
    code, ident, day = contract.columns
    assert code.valid_values == ("A", "B")
    assert ident.pattern == "^[0-9]+$" and ident.pseudonymise
    assert (day.landing_type, day.date_format, day.minimum, day.maximum) == ("DATE", "%d/%m/%Y", "1990-01-01", "today")
    assert contract.max_quarantine_ratio == 0.5 and contract.min_rows == 1


def test_trainee_sources_share_their_code_sets_and_identifiers():
    """TIS equality data reuses ESR's codes (so the ref_*_map seeds map it); the programme list is
    one across ARCP and NETS; GMC and employee numbers are pseudonymised like ESR's identifiers."""
    contracts = load_contracts()
    arcp, exam, nets, esr = (contracts[n] for n in ("arcp_outcome", "exam_attempt", "nets_result", "esr_assignment"))
    for name in ("ethnic_origin", "gender", "disability"):
        assert set(arcp.column(name).valid_values) == set(esr.column(name).valid_values), name
    assert arcp.column("programme_code").valid_values == nets.column("programme_code").valid_values
    assert arcp.column("employee_number").pattern == esr.column("employee_number").pattern
    assert arcp.column("employee_number").pseudonymise and not arcp.column("employee_number").required
    for contract in (arcp, exam):
        gmc = contract.column("gmc_number")
        assert gmc.pseudonymise and gmc.primary_key_position == 1 and gmc.pattern == "^[0-9]{7}$"
    assert not any(c.pseudonymise for c in nets.columns)  # aggregated: no identifier at all
