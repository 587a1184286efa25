"""Legacy password hashes: the original stored raw bcrypt hashes (`$2a$`, `$2b$`, `$2y$`).

They are kept as they are on import and verified here; `users.User.check_password` upgrades them to
Django's `bcrypt$...` format on the first successful login.
"""

import bcrypt

LEGACY_PREFIXES = ("$2a$", "$2b$", "$2y$")


def is_legacy_hash(encoded: str | None) -> bool:
    return bool(encoded) and encoded.startswith(LEGACY_PREFIXES)


def check_legacy_password(raw_password: str, encoded: str) -> bool:
    """True when `raw_password` matches the raw bcrypt hash `encoded`."""
    if raw_password is None:
        return False
    try:
        return bcrypt.checkpw(raw_password.encode("utf-8"), encoded.encode("utf-8"))
    except ValueError:  # malformed hash
        return False
