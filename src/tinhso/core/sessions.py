"""Database sessions whose keys are checked before they reach a query.

Django's cookie parser unquotes octal escapes (`"\\000…"` becomes NUL), and its session store
only checks a key's length; PostgreSQL then refuses the NUL and the request fails with a 500.
A key Django made is 32 lowercase letters and digits: anything else is treated as no session.
"""

from __future__ import annotations

import re

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_SESSION_KEY = re.compile(r"^[a-z0-9]{8,40}\Z")


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        return bool(key) and bool(_SESSION_KEY.match(key or ""))
