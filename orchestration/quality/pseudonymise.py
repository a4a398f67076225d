"""Keyed pseudonymisation (HMAC-SHA256) computed inside DuckDB.

HMAC(K, m) = SHA256((K ^ opad) || SHA256((K ^ ipad) || m)). The two padded keys are computed here
once and bound as parameters, so the key never appears in SQL text or logs, and millions of
identifiers are hashed at DuckDB speed instead of one Python call each.
"""

from __future__ import annotations

import hashlib
import hmac

BLOCK_SIZE = 64


def padded_keys(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer padded keys of RFC 2104 for SHA-256."""
    if len(key) > BLOCK_SIZE:
        key = hashlib.sha256(key).digest()
    key = key.ljust(BLOCK_SIZE, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def normalise_identifier(value: str) -> str:
    """Identifiers are compared trimmed and lower-cased (e-mail addresses differ only in case)."""
    return value.strip().lower()


def hmac_sql(expression: str) -> str:
    """SQL computing the hex HMAC of `expression` (already normalised); binds $hmac_ipad, $hmac_opad."""
    return f"sha256($hmac_opad || unhex(sha256($hmac_ipad || encode({expression}))))"


def hmac_parameters(key: bytes) -> dict[str, bytes]:
    inner, outer = padded_keys(key)
    return {"hmac_ipad": inner, "hmac_opad": outer}


def pseudonymise(value: str, key: bytes) -> str:
    """The same function in Python, for callers holding one value (and to test the SQL)."""
    return hmac.new(key, normalise_identifier(value).encode(), hashlib.sha256).hexdigest()
