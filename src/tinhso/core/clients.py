"""Who is calling: the client's network address, behind a reverse proxy or not.

Behind the recommended reverse proxy (nginx) every request reaches tinhso from the proxy's own
address; the client's is in `X-Forwarded-For`, which anyone can also write. So the header is
believed only when the request came from a proxy named in `TINHSO_TRUSTED_PROXIES` (addresses or
networks, e.g. `127.0.0.1,10.0.0.0/24`), and then only the part the trusted proxies appended:
reading from the right, the first address that is not a trusted proxy is the client. With no
proxy named, the address is the connection's (`REMOTE_ADDR`). Every throttle (sign-in, public
rating, phone codes, API keys) keys on this one function.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted_proxy(address: str, proxies: tuple[str, ...]) -> bool:
    parsed = _address(address)
    return parsed is not None and any(parsed in network for network in _trusted(proxies))


def client_address(request: HttpRequest) -> str | None:
    """The client's address as text (see the module docstring), or None when there is none."""
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = tuple(settings.TINHSO_TRUSTED_PROXIES)
    if proxies and is_trusted_proxy(remote, proxies):
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        for hop in reversed(forwarded):
            if not is_trusted_proxy(hop, proxies):
                parsed = _address(hop)
                return str(parsed) if parsed is not None else None
        if forwarded:
            parsed = _address(forwarded[0])
            return str(parsed) if parsed is not None else None
    parsed = _address(remote)
    return str(parsed) if parsed is not None else None
