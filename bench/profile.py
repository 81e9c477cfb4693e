"""Where a page's time goes: middleware, view, each template, each query.

    python -m bench.profile /usulan/ [--as citizen|moderator|official] [--db bench] [--repeat 20] [--cprofile]

Requests the page through the Django test client in this process, against the seeded benchmark
database with production settings (the page cache is off unless --page-cache, so the page is
built every time; fragment caches stay on, as in a running worker). Every request runs the
whole middleware stack. After two warm-up requests it repeats the page and prints, per request:

- wall time in total, and the part spent in each middleware's own code (excluding the layers
  inside it), in the view and in SQL;
- each template: how often it was rendered and its own time (excluding templates it includes
  and queries it triggers) and inclusive time;
- the queries: count, total time and the slowest statements.

With --cprofile it also prints cProfile's top functions by own time, for the hot spot inside a
template or a view. `--as` signs in as one of the seeded personas (bench/seed.py) with a real
session, the same way bench.run does.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from contextlib import contextmanager


class Timer:
    """Nested timers: each frame's own time excludes the frames opened inside it."""

    def __init__(self):
        self.stack: list[list] = []  # [label, started, child_seconds]
        self.own: dict[str, float] = defaultdict(float)
        self.inclusive: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    @contextmanager
    def frame(self, label: str):
        entry = [label, time.perf_counter(), 0.0]
        self.stack.append(entry)
        try:
            yield
        finally:
            self.stack.pop()
            elapsed = time.perf_counter() - entry[1]
            self.own[label] += elapsed - entry[2]
            self.calls[label] += 1
            # Recursion (a template extending or including itself through blocks) counts once.
            if not any(other[0] == label for other in self.stack):
                self.inclusive[label] += elapsed
            if self.stack:
                self.stack[-1][2] += elapsed


def instrument(timer: Timer, queries: list) -> None:
    """Wrap templates, middleware and views so that each opens a frame of the timer."""
    from django.conf import settings
    from django.template.base import Template
    from django.utils.module_loading import import_string

    original_render = Template.render

    def render(self, context):
        with timer.frame(f"template {self.origin.template_name or self.origin.name}"):
            return original_render(self, context)

    Template.render = render

    # The `{% include %}` and `{% extends %}` nodes call Template._render (not render) on the
    # included template; wrap it too, but only when it is not already inside its own render().
    original_inner = Template._render

    def inner(self, context):
        label = f"template {self.origin.template_name or self.origin.name}"
        if timer.stack and timer.stack[-1][0] == label:
            return original_inner(self, context)
        with timer.frame(label):
            return original_inner(self, context)

    Template._render = inner

    # Blocks: a child template's blocks render inside its parent's frame; name them apart.
    from django.template.loader_tags import BlockNode

    original_block = BlockNode.render

    def block(self, context):
        with timer.frame(f"template {{% block {self.name} %}}"):
            return original_block(self, context)

    BlockNode.render = block

    seen = set()
    for path in settings.MIDDLEWARE:
        cls = import_string(path)
        if cls in seen:
            continue
        seen.add(cls)
        original_call = cls.__call__

        def call(self, request, _original=original_call, _label=f"middleware {cls.__name__}"):
            with timer.frame(_label):
                return _original(self, request)

        cls.__call__ = call

    from django.core.handlers import base

    original_get_response = base.BaseHandler._get_response

    def get_response(self, request):
        with timer.frame("view (URL resolving, view code, response)"):
            return original_get_response(self, request)

    base.BaseHandler._get_response = get_response

    def record_query(execute, sql, params, many, context):
        with timer.frame("SQL"):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append((time.perf_counter() - started, sql))

    return record_query


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="the page's path, e.g. /usulan/ or /usulan/1/")
    parser.add_argument("--as", dest="persona", choices=["anonymous", "citizen", "moderator", "official"], default="anonymous")
    parser.add_argument("--db", default="bench")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--page-cache", action="store_true", help="leave the anonymous page cache on")
    parser.add_argument("--cprofile", action="store_true", help="also print cProfile's top functions by own time")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)

    import os

    from bench.common import database_url, read_manifest, setup_django
    from bench.server import collectstatic

    if not args.page_cache:
        os.environ["PAGE_CACHE_SECONDS"] = "0"
    manifest = read_manifest(args.db)
    db_url = database_url(args.db)
    collectstatic(db_url)  # production settings render {% static %} from the manifest
    setup_django(db_url)
    if not args.page_cache:
        from django.conf import settings

        settings.PAGE_CACHE_SECONDS = 0

    from django.db import connection
    from django.test import Client

    from bench.sessions import session_cookie

    timer = Timer()
    queries: list = []
    recorder = instrument(timer, queries)  # before the first request, which builds the middleware chain
    client = Client(HTTP_HOST="127.0.0.1")
    if args.persona != "anonymous":
        name, value = session_cookie(manifest, args.persona)
        client.cookies[name] = value
    for _ in range(2):
        response = client.get(args.path)
        if response.status_code != 200:
            raise SystemExit(f"{args.path} answered {response.status_code} for {args.persona}")
    timer.__init__()
    profiler = None
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile()
    started = time.perf_counter()
    cpu_started = time.process_time()
    with connection.execute_wrapper(recorder):
        if profiler:
            profiler.enable()
        for _ in range(args.repeat):
            with timer.frame("client"):
                client.get(args.path)
        if profiler:
            profiler.disable()
    wall = (time.perf_counter() - started) / args.repeat
    cpu = (time.process_time() - cpu_started) / args.repeat
    report(args, timer, queries, wall, cpu, len(response.content))
    if profiler:
        import pstats

        print(f"\ncProfile, top {args.top} functions by own time (all {args.repeat} requests):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)


def report(args, timer: Timer, queries: list, wall: float, cpu: float, size: int) -> None:
    n = args.repeat
    ms = lambda seconds: seconds * 1000 / n  # noqa: E731 - per request, in ms
    print(f"{args.path} as {args.persona}: {size:,} bytes; per request {wall * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU "
          f"(this process, client included), mean of {n}")
    print()
    print(f"{'own ms':>8} {'incl ms':>8} {'calls':>6}  part")
    templates = {k: v for k, v in timer.own.items() if k.startswith("template ")}
    others = {k: v for k, v in timer.own.items() if not k.startswith("template ")}
    for label, own in sorted(others.items(), key=lambda item: -item[1]):
        print(f"{ms(own):8.2f} {ms(timer.inclusive[label]):8.2f} {timer.calls[label] / n:6.1f}  {label}")
    print(f"{ms(sum(templates.values())):8.2f} {'':>8} {'':>6}  all templates (own time)")
    print()
    print("templates by own time:")
    for label, own in sorted(templates.items(), key=lambda item: -item[1]):
        print(f"{ms(own):8.2f} {ms(timer.inclusive[label]):8.2f} {timer.calls[label] / n:6.1f}  {label.removeprefix('template ')}")
    total_sql = sum(seconds for seconds, _ in queries)
    print()
    print(f"queries: {len(queries) / n:.1f} per request, {ms(total_sql):.2f} ms per request; slowest:")
    slowest: dict[str, list[float]] = defaultdict(list)
    for seconds, sql in queries:
        slowest[sql].append(seconds)
    for sql, times in sorted(slowest.items(), key=lambda item: -sum(item[1]))[:8]:
        print(f"{sum(times) * 1000 / len(times):8.2f} ms × {len(times) / n:.0f}  {sql[:160]}")


if __name__ == "__main__":
    main()
