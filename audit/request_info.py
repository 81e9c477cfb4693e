"""Who is on the other end of a request, as far as we can trust it."""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address; behind TRUSTED_PROXY_COUNT proxies, read from X-Forwarded-For.

    Only the hops our own proxies appended are trusted: with one proxy the last entry is the
    address that proxy saw, whatever the client wrote into the header itself.
    """
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def user_agent(request) -> str:
    if request is None:
        return ""
    return request.META.get("HTTP_USER_AGENT", "")[:300]
