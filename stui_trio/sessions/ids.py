"""Session ids: 192 random bits from the OS CSPRNG, URL-safe text (32 characters).

Unguessable ids are what keep one client from stumbling onto another's session; ownership is
still checked on every use (``AccessDenied``).
"""

from __future__ import annotations

import secrets

SESSION_ID_BYTES = 24  # 192 bits, above the protocol's 128-bit floor


def new_session_id() -> str:
    return secrets.token_urlsafe(SESSION_ID_BYTES)
