"""SQL identifiers spliced into statements (values are always bound, never spliced)."""


def quoted(identifier: str) -> str:
    """`identifier` as a double-quoted SQL identifier, any double quote in it doubled. Callers check names
    against their whitelist (the contracts' IDENTIFIER, the catalog's tables) before they get here."""
    return '"' + identifier.replace('"', '""') + '"'
