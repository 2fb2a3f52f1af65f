"""One-time codes for the bank portal's second log-on step.

``totp``: RFC 6238 time-based codes from a shared secret (base32), as an authenticator app
makes them; pyotp is used when installed, else the few lines below (HMAC-SHA1, 30 s, 6 digits).
"""

import base64
import hashlib
import hmac
import struct
import time


def totp_code(secret: str, at: float | None = None, digits: int = 6, period: int = 30) -> str:
    """The RFC 6238 code of base32 ``secret`` at unix time ``at`` (default now)."""
    try:
        import pyotp
    except ImportError:
        pyotp = None
    moment = time.time() if at is None else at
    if pyotp is not None:
        return pyotp.TOTP(secret, digits=digits, interval=period).at(moment)
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    counter = struct.pack(">Q", int(moment // period))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10 ** digits:0{digits}d}"
