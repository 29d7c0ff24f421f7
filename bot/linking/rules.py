"""What linking needs no database for: making a code, reading one as typed, and its hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

# Letters and digits nobody mixes up: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY3479"
LENGTH = 6
LIFETIME = timedelta(minutes=10)
MAX_WRONG = 5  # wrong codes typed on one account...
WRONG_WINDOW = timedelta(hours=1)  # ...in this long; then no more tries until it has passed
KEPT_FOR = timedelta(days=1)  # codes and wrong tries are forgotten after this


def new_code() -> str:
    """A code to read and type: "K7P-4QD"."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{code[:3]}-{code[3:]}"


def read_code(typed: str) -> str:
    """A code as typed, any case, with or without its dash or spaces: "k7p 4qd" is K7P4QD."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def looks_like_a_code(code: str) -> bool:
    return len(code) == LENGTH and all(ch in ALPHABET for ch in code)


def code_hash(code: str) -> str:
    """What is kept of a code: it is never stored or logged as it is."""
    return hashlib.sha256(read_code(code).encode()).hexdigest()
