from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """Bahasa Indonesia unless the visitor chose another language with the switch.

    Unlike Django's LocaleMiddleware the browser's Accept-Language is ignored: many phones in
    Indonesia are set to English, yet the portal's public language is Indonesian.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class AnonymousPageCache:
    """Serves public pages to visitors without a session from a short-lived shared cache.

    Most traffic is anonymous reading; a page a few seconds old is as good to them and costs
    nothing to build. Anyone with a session (logged in, or holding a message to be shown)
    always gets a fresh page, and only plain 200 pages that set no cookie are stored, so
    nothing personal can be cached. PAGE_CACHE_SECONDS=0 turns it off.
    """

    PREFIXES = ("/usulan/", "/program/", "/uji-publik/", "/statistik/", "/data/feed/")
    SKIP_COOKIES = ("sessionid", "messages")

    def __init__(self, get_response):
        self.get_response = get_response

    def _cacheable_request(self, request) -> bool:
        if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
            return False
        if any(name in request.COOKIES for name in (settings.SESSION_COOKIE_NAME, *self.SKIP_COOKIES)):
            return False
        return request.path == "/" or request.path.startswith(self.PREFIXES)

    def _key(self, request) -> str:
        import hashlib

        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        raw = f"{request.get_host()}|{language}|{request.get_full_path()}"
        return "anon-page:" + hashlib.sha256(raw.encode()).hexdigest()

    def __call__(self, request):
        from django.core.cache import cache
        from django.http import HttpResponse

        if not self._cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)
        stored = cache.get(key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        cache_control = response.get("Cache-Control", "")
        storable = (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
        )
        if storable:
            headers = [(name, value) for name, value in response.items() if name.lower() != "set-cookie"]
            cache.set(key, (response.status_code, headers, response.content), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response


class DatabaseUnavailable:
    """While the database is unreachable, answer 503 with Retry-After instead of a bare 500.

    Clients and load balancers then know the fault is passing; no write was made, because the
    request could not reach the database at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        import logging

        from django.db import InterfaceError, OperationalError
        from django.http import HttpResponse
        from django.template import loader

        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logging.getLogger("portal.health").error("database unavailable: %s", type(exception).__name__)
        response = HttpResponse(loader.get_template("503.html").render({}), status=503)
        response["Retry-After"] = "5"
        return response
