"""Password hashing: the one module that turns a password into a stored digest and checks one.

The existing web client checks the typed password in the browser (bcryptjs) against the runner's own record
(deviations.md 13), so the digest we store must contain a raw bcrypt hash of the password itself:

- `ClientBCryptPasswordHasher` (algorithm `bcrypt`, the default) stores `bcrypt$<raw $2b$ hash>`, the same
  format as Django's BCryptPasswordHasher, so digests that hasher wrote verify unchanged. Django's
  `bcrypt_sha256` cannot serve the client: it hashes a SHA-256 of the password, not the password.
- The original stored raw bcrypt hashes (`$2a$`, `$2b$`, `$2y$`) with no algorithm prefix. Imported rows keep
  them; `check_legacy_password` verifies them and `users.User.check_password` re-hashes on the first sign-in.
- Other digests Django can read (pbkdf2, bcrypt_sha256) keep verifying and are re-hashed with the default
  hasher on a successful sign-in (Django's `check_password` setter), so the runner's next record is servable.

bcrypt reads at most 72 bytes of a password. Every hash here is made from, and checked against, the first
72 bytes of the UTF-8 password (`bcrypt_secret`): what bcryptjs does in the browser, what the original's
bcrypt did, and so what legacy hashes of long passwords were made from. Longer passphrases work; only their
first 72 bytes count. (bcrypt 5 raises on longer input instead of cutting it: never hand it one.)
"""

import bcrypt
from django.conf import settings
from django.contrib.auth.hashers import BCryptPasswordHasher

LEGACY_PREFIXES = ("$2a$", "$2b$", "$2y$")
BCRYPT_MAX_BYTES = 72
ALGORITHM_PREFIX = "bcrypt$"


def bcrypt_secret(raw_password: str) -> bytes:
    """The bytes bcrypt hashes for `raw_password`: its UTF-8 encoding cut to bcrypt's 72-byte limit."""
    return raw_password.encode("utf-8", "surrogatepass")[:BCRYPT_MAX_BYTES]


def is_legacy_hash(encoded: str | None) -> bool:
    return bool(encoded) and encoded.startswith(LEGACY_PREFIXES)


def check_legacy_password(raw_password: str, encoded: str) -> bool:
    """True when `raw_password` matches the raw bcrypt hash `encoded`."""
    if raw_password is None:
        return False
    try:
        return bcrypt.checkpw(bcrypt_secret(raw_password), encoded.encode("ascii"))
    except ValueError:  # malformed hash
        return False


class ClientBCryptPasswordHasher(BCryptPasswordHasher):
    """bcrypt of the password itself (no pre-hash), cut to 72 bytes: `bcrypt$<raw bcrypt hash>`.

    The raw hash after the prefix is what bcryptjs and the `bcrypt` library verify (`client_password_hash`).
    """

    algorithm = "bcrypt"
    digest = None

    def encode(self, password, salt):
        data = bcrypt.hashpw(bcrypt_secret(password), salt)
        return f"{self.algorithm}${data.decode('ascii')}"

    def verify(self, password, encoded):
        algorithm, data = encoded.split("$", 1)
        assert algorithm == self.algorithm
        try:
            return bcrypt.checkpw(bcrypt_secret(password), data.encode("ascii"))
        except ValueError:  # malformed hash
            return False


def client_password_hash(encoded: str | None) -> str | None:
    """The raw 60-character bcrypt hash inside a stored digest, for its owner's client; None for a digest
    that holds none (pbkdf2, bcrypt_sha256, unusable passwords) or when `SERVE_OWN_PASSWORD_HASH` is off."""
    if not settings.SERVE_OWN_PASSWORD_HASH or not encoded:
        return None
    raw = encoded[len(ALGORITHM_PREFIX):] if encoded.startswith(ALGORITHM_PREFIX) else encoded
    return raw if is_legacy_hash(raw) and len(raw) == 60 else None
