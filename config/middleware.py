import logging
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.template import loader
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

security_log = logging.getLogger("portal.security")


class SecurityHeaders:
    """The security and caching headers of every response, set in this one place.

    - Content-Security-Policy (settings.CONTENT_SECURITY_POLICY): scripts, styles, fonts and
      connections from our own origin only; no inline script, no inline style, no plugins, no
      framing. Templates therefore carry no <script> body, no style="" and no on...= handler.
    - Cache-Control: private, no-store on every response that may carry personal or staff-only
      data: whatever a signed-in person receives, and everything under the account, admin,
      workspace, moderation, audit and notification paths whoever asks. Browsers and proxies then
      keep no copy of a profile page, an audit CSV or a personal-data export.
    - Cache-Control: public, max-age=0, s-maxage=EDGE_CACHE_SECONDS on the public pages and feeds
      a visitor without a session receives (the paths of AnonymousPageCache), when the response is
      a plain 200 that sets no cookie: a reverse proxy or CDN in front may serve it to every such
      visitor for that long (see docs/nginx.conf), browsers revalidate it each time with the ETag
      (ConditionalGetMiddleware answers 304). `Vary: Cookie` (LanguageMiddleware) keeps the
      languages and anyone holding a cookie apart.
    """

    PRIVATE_PREFIXES = ("/akun/", "/admin/", "/kerja/", "/moderasi/", "/audit/", "/notifikasi/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        if self._private(request):
            patch_cache_control(response, private=True, no_store=True)
        elif self._shareable(request, response):
            patch_cache_control(response, public=True, max_age=0, s_maxage=settings.EDGE_CACHE_SECONDS)
        return response

    @staticmethod
    def _shareable(request, response) -> bool:
        return (
            settings.EDGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.cookies
            and "Cache-Control" not in response
            and not any(name in request.COOKIES for name in (settings.SESSION_COOKIE_NAME, *AnonymousPageCache.SKIP_COOKIES))
            and AnonymousPageCache.public_path(request.path)
        )

    def _private(self, request) -> bool:
        if request.path.startswith(self.PRIVATE_PREFIXES):
            return True
        from django.db import DatabaseError

        try:
            user = getattr(request, "user", None)  # absent when whitenoise or the page cache answered
            return user is not None and user.is_authenticated
        except DatabaseError:
            return True  # the user could not be read: keep the page out of every cache


class RejectUndecodableInput:
    """Input no person types is refused with 400 before any view, form or query sees it.

    NUL bytes (PostgreSQL refuses them in text, so they surfaced as 500s), bytes that are not
    UTF-8 (overlong and truncated sequences included) and absurdly long query values, in the
    path, the query string, a form body or a header (cookies included). One check here instead
    of one in every form, filter and lookup; form fields still check their own lengths and formats.
    """

    MAX_QUERY_VALUE_LENGTH = 2000

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._problem(request)
        if problem:
            from audit.logging import loggable_path

            security_log.warning(
                "undecodable input refused",
                extra={"problem": problem, "method": request.method, "path": loggable_path(request)},
            )
            return HttpResponseBadRequest(loader.render_to_string("400.html", {"page": "error"}, request))
        return self.get_response(request)

    def _problem(self, request) -> str:
        if "\x00" in request.path_info or "\ufffd" in request.path_info:
            return "path"
        for name, value in request.META.items():
            if name.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
                return "header"
        if any("\x00" in value for value in request.COOKIES.values()):  # quoted cookies decode to NUL here
            return "cookie"
        if not _is_clean_urlencoded(request.META.get("QUERY_STRING", "").encode("latin-1", "replace")):
            return "query"
        if any(len(value) > self.MAX_QUERY_VALUE_LENGTH for _, values in request.GET.lists() for value in values):
            return "query_length"
        if request.method in ("POST", "PUT", "PATCH"):
            if request.content_type == "application/x-www-form-urlencoded":
                if not _is_clean_urlencoded(request.body):
                    return "form"
            elif request.content_type == "multipart/form-data":
                # Django decodes multipart fields with errors="replace": invalid UTF-8 shows as U+FFFD.
                for _, values in request.POST.lists():
                    if any("\x00" in value or "\ufffd" in value for value in values):
                        return "form"
        return ""


def _is_clean_urlencoded(raw: bytes) -> bool:
    """Whether a query string or form body decodes as strict UTF-8 without NUL."""
    try:
        text = unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


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

    PREFIXES = ("/usulan/", "/program/", "/uji-publik/", "/statistik/", "/data/feed/", "/musrenbang/")
    SKIP_COOKIES = ("sessionid", "messages")

    def __init__(self, get_response):
        self.get_response = get_response

    def _cacheable_request(self, request) -> bool:
        if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
            return False
        if any(name in request.COOKIES for name in (settings.SESSION_COOKIE_NAME, *self.SKIP_COOKIES)):
            return False
        return self.public_path(request.path)

    @classmethod
    def public_path(cls, path: str) -> bool:
        return path == "/" or path.startswith(cls.PREFIXES)

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

    Clients and load balancers then know the fault is passing. This catches what views raise;
    config.views.server_error turns the same failures raised in middleware (session, user,
    cache table) into the same 503.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_outage(exception):
            return None
        return database_unavailable_response(request)


RETRY_AFTER_SECONDS = 5


def is_database_outage(exception: BaseException | None) -> bool:
    """The database could not be reached or dropped the connection (itself, or what it led to)."""
    from django.db import InterfaceError, OperationalError

    seen = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, (OperationalError, InterfaceError)):
            return True
        seen.add(id(exception))
        exception = exception.__cause__ or exception.__context__
    return False


def database_unavailable_response(request):
    """503, Retry-After and the request id (on the page too, for a citizen to quote)."""
    from django.http import HttpResponse

    from audit.logging import loggable_path

    request_id = getattr(request, "request_id", "")
    logging.getLogger("portal.health").error("database unavailable", extra={"path": loggable_path(request)})
    # No request context: the context processors would query the unreachable database.
    response = HttpResponse(loader.get_template("503.html").render({"request_id": request_id}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class UniqueConflict:
    """The last net under races on unique values: an IntegrityError no form caught is answered
    409 with a clear message instead of a 500, and logged as a warning naming the view.

    Forms that can race (sign-up with one email, supports, responses, flags, follows, ratings)
    catch the error in a savepoint and give their normal answer; this covers the rest (admin
    forms on unique names, email management) so that no request ever ends in a 500 for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import IntegrityError
        from django.http import HttpResponse

        if not isinstance(exception, IntegrityError):
            return None
        from audit.logging import loggable_path

        security_log.warning(
            "unique conflict answered 409",
            extra={"method": request.method, "path": loggable_path(request), "error": type(exception).__name__},
        )
        return HttpResponse(loader.render_to_string("409.html", {"page": "error"}, request), status=409)
