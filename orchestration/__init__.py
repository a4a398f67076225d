"""NHS EDI Warehouse: the Dagster code location and the `edi` command."""
