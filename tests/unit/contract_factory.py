"""Build small contracts in tests without writing YAML by hand."""

from orchestration.quality.contracts import parse_contract


def column(name, header=None, **fields):
    prop = {"name": name, "physicalName": header or name, "logicalType": "string",
            "physicalType": "VARCHAR", "description": f"{name} column"}
    custom = []
    for key, value in fields.items():
        if key in {"pseudonymise", "notBefore", "notGreaterThan", "castTo", "nullValues", "oneValuePerFile"}:
            custom.append({"property": key, "value": value})
        elif key == "valid_values":
            prop["quality"] = [{"type": "library", "metric": "invalidValues",
                                "arguments": {"validValues": value}}]
        elif key in {"pattern", "format", "minimum", "maximum"}:
            prop.setdefault("logicalTypeOptions", {})[key] = value
        else:
            prop[key] = value
    if custom:
        prop["customProperties"] = custom
    return prop


def make_contract(properties, name="demo", path="demo/*.csv", max_ratio=0.5, header=True,
                  delimiter=",", relationships=None, sla=None, custom=None):
    return parse_contract({
        "apiVersion": "v3.1.0", "kind": "DataContract", "id": f"urn:test:{name}",
        "name": name, "version": "1.2.3",
        "description": {"purpose": "A test source."},
        "team": {"name": "tests", "members": [{"username": "tester", "role": "owner"}]},
        "slaProperties": sla if sla is not None else [{"property": "frequency", "value": 1, "unit": "d"}],
        "servers": [{"server": "landing", "type": "local", "format": "csv", "path": path,
                     "delimiter": delimiter,
                     "customProperties": [{"property": "location", "value": "landing"},
                                          {"property": "header", "value": header}]}],
        "customProperties": [{"property": "sourceSystem", "value": "tests"},
                             *({"property": k, "value": v} for k, v in (custom or {}).items())],
        "schema": [{"name": name, "dataGranularityDescription": "one row per thing",
                    "properties": properties, "relationships": relationships or [],
                    "quality": [{"type": "library", "metric": "rowCount", "mustBeGreaterThan": 0},
                                {"type": "custom", "implementation": "maxQuarantineRatio",
                                 "mustBeLessOrEqualTo": max_ratio}]}],
    })
