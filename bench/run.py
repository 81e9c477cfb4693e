"""The benchmark: serve the seeded portal with gunicorn and load each page with wrk, per mode.

    python -m bench.run [--db bench] [--seed-scale N] [--duration 15] [--connections 8] [--workers 3]
                        [--only home list ...] [--modes cached miss citizen moderator official]

Modes: `cached` is an anonymous visitor served by the page cache (production default), `miss` an
anonymous visitor whose page is built (a second server with PAGE_CACHE_SECONDS=0), `citizen`,
`moderator` and `official` the seeded personas (bench/seed.py), each with a real session cookie
(bench/sessions.py). Personal pages (notifications, moderation queue, workspace) are measured for
the personas only.

For each page and mode: requests/s, p50 and p99 latency (wrk, fixed time, N connections), SQL
queries per request (Django test client + CaptureQueriesContext against the same database, with
the same cookie, so the count is the one a real request makes), CPU time per request in the
gunicorn workers (utime + stime from /proc, summed over the workers, divided by the requests),
response bytes, and the ratio to the ceiling (a do-nothing Django view on the same server,
measured in the same run). Then each gunicorn worker's peak memory (VmHWM from /proc) and an
open-data export of every public proposal (peak RSS of the workers before and after). The load
average is recorded before and after. Writes bench-results/bench-<db>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from bench import musrenbang, phone_weight
from bench.common import RESULTS, ROOT, database_url, read_manifest, setup_django
from bench.report import write_reports
from bench.server import Gunicorn, collectstatic
from bench.sessions import PERSONAS, session_cookie

LUA = Path(__file__).with_name("wrk_report.lua")


MODES = ("cached", "miss", *PERSONAS)
# Pages only a signed-in person sees: (key, label, path, the personas it is measured for).
PERSONAL_PAGES = (
    ("notifications", "Notifications", "/notifikasi/", PERSONAS),
    ("my_proposals", "My proposals", "/usulan/saya/", ("citizen",)),
    ("moderation", "Moderation queue", "/moderasi/", ("moderator",)),
    ("workspace", "Official's workspace", "/kerja/", ("official",)),
)


def personal_pages() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """The personal pages whose URL exists in this version of the portal (the workspace may not yet)."""
    from django.urls import Resolver404, resolve

    found = []
    for page in PERSONAL_PAGES:
        try:
            resolve(page[2])
        except Resolver404:
            continue
        found.append(page)
    return found


def pages(manifest: dict) -> list[tuple[str, str, str]]:
    """(key, label, path) for every public page measured; the ceiling comes first."""
    f = manifest["filter"]
    query = manifest["search_query"].replace(" ", "+")
    return [
        ("ceiling", "Ceiling: do-nothing Django view", "/bench/ceiling"),
        ("home", "Home", "/"),
        ("list", "Proposal list, first page", "/usulan/"),
        ("list_deep", f"Proposal list, page {manifest['deep_page']:,}", f"/usulan/?halaman={manifest['deep_page']}"),
        ("list_last", "Proposal list, last page", f"/usulan/?halaman={manifest['list_pages']}"),
        ("list_filtered", "Proposal list, category + kecamatan", f"/usulan/?kategori={f['kategori']}&wilayah={f['wilayah']}"),
        ("list_search", f"Proposal search \u201c{manifest['search_query']}\u201d", f"/usulan/?q={query}"),
        ("list_search_rare", f"Proposal search \u201c{manifest['rare_search_query']}\u201d", f"/usulan/?q={manifest['rare_search_query']}"),
        ("list_sorted", "Proposal list, most supported", "/usulan/?urut=dukungan"),
        ("detail_hot", f"Proposal detail ({manifest['hot_proposal_comments']:,} comments)", f"/usulan/{manifest['hot_proposal']}/"),
        ("programs", "Program list", "/program/"),
        ("program", "Program detail", f"/program/{manifest['program']}/"),
        ("consultations", "Consultation list", "/uji-publik/"),
        (
            "results",
            f"Consultation results (closed, {manifest['results_consultation_responses']:,} responses)",
            f"/uji-publik/{manifest['results_consultation']}/",
        ),
        *musrenbang.pages(manifest),
    ]


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (make bench does this)")
    return path


def run_wrk(url: str, *, duration: int, connections: int, threads: int, cookie: str = "") -> dict:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    output = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s", *headers, "-s", str(LUA), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    return {
        "requests": data["requests"],
        "rps": round(data["requests"] / seconds, 1),
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p90_ms": round(data["p90_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
        "max_ms": round(data["max_us"] / 1000, 1),
        "errors": data["status_errors"] + data["connect_errors"] + data["read_errors"] + data["write_errors"] + data["timeouts"],
    }


def fetch(url: str, cookie: str = "") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()


def count_queries(paths: list[str], *, cookie: tuple[str, str] | None = None, page_cache: bool = True) -> dict[str, int]:
    """SQL queries one request makes through the whole middleware stack, with the mode's cookie."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if cookie:
        client.cookies[cookie[0]] = cookie[1]
    counts = {}
    with override_settings(**({} if page_cache else {"PAGE_CACHE_SECONDS": 0})):
        for path in paths:
            client.get(path)  # warm per-process caches (content types, ...) like a running worker has
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            counts[path] = len(captured.captured_queries)
    return counts


def workers_cpu_seconds(server: Gunicorn) -> float:
    """User + system CPU time of all the server's workers so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in server.worker_pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def measure_export(server: Gunicorn, path: str) -> dict:
    """Stream one open-data export and read the workers' peak memory before and after."""
    before = server.worker_memory()
    started = time.perf_counter()
    size = 0
    rows = 0
    with urllib.request.urlopen(server.base + path, timeout=600) as response:
        status = response.status
        while chunk := response.read(1 << 16):
            size += len(chunk)
            rows += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    after = server.worker_memory()
    growth = {pid: after[pid]["VmHWM"] - before.get(pid, {}).get("VmHWM", 0) for pid in after}
    busiest = max(growth, key=growth.get)
    return {
        "path": path,
        "status": status,
        "bytes": size,
        "lines": rows,
        "seconds": round(seconds, 2),
        "peak_before_kib": before.get(busiest, {}).get("VmHWM"),
        "peak_after_kib": after[busiest]["VmHWM"],
        "peak_growth_kib": growth[busiest],
    }


def hardware() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    memory_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory_kib = int(line.split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench")
    parser.add_argument("--seed-scale", type=float, default=None, help="seed the database first at this scale")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (it shares the 2 cores with the server)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--only", nargs="*", help="page keys to measure (default: all)")
    parser.add_argument("--modes", nargs="*", choices=MODES, help="modes to measure (default: all)")
    parser.add_argument("--no-export", action="store_true", help="skip the open-data export measurement")
    args = parser.parse_args(argv)

    ensure_wrk()
    if args.seed_scale is not None:
        from bench import seed

        seed.main(["--scale", str(args.seed_scale), "--db", args.db])
    manifest = read_manifest(args.db)
    db_url = database_url(args.db)
    setup_django(db_url)
    collectstatic(db_url)

    modes = [mode for mode in MODES if mode in (args.modes or MODES)]
    public = [page for page in pages(manifest) if not args.only or page[0] in args.only or page[0] == "ceiling"]
    personal = [page for page in personal_pages() if not args.only or page[0] in args.only]
    cookies = {persona: session_cookie(manifest, persona) for persona in PERSONAS if persona in modes}
    plan: dict[str, list[tuple[str, str, str]]] = {}
    for mode in modes:
        plan[mode] = [page for page in public if page[0] != "ceiling"]
        plan[mode] += [(key, label, path) for key, label, path, who in personal if mode in who]
    total = 1 + sum(len(chosen) for chosen in plan.values())
    print(
        f"measuring {total} page runs ({', '.join(modes)}), {args.duration} s each, {args.connections} connections, "
        f"{args.workers} workers; load average {load_average()}",
        flush=True,
    )
    queries = {}
    for mode in modes:
        paths = [path for _, _, path in plan[mode]]
        queries[mode] = count_queries(paths, cookie=cookies.get(mode), page_cache=mode != "miss")
    RESULTS.mkdir(exist_ok=True)
    results = []
    load_before = load_average()
    memory_after_pages: dict = {}
    memory_final: dict = {}
    export = None

    def measure(server: Gunicorn, mode: str, key: str, label: str, path: str) -> None:
        cookie = "=".join(cookies[mode]) if mode in cookies else ""
        url = server.base + path
        status, body = fetch(url, cookie)
        for _ in range(5):  # warm the workers and PostgreSQL's buffers
            fetch(url, cookie)
        cpu_before = workers_cpu_seconds(server)
        measured = run_wrk(url, duration=args.duration, connections=args.connections, threads=args.threads, cookie=cookie)
        cpu_ms = (workers_cpu_seconds(server) - cpu_before) * 1000 / max(measured["requests"], 1)
        row = {
            "mode": mode,
            "key": key,
            "label": label,
            "path": path,
            "status": status,
            "bytes": len(body),
            "queries": queries.get(mode, {}).get(path, 0),
            "cpu_ms": round(cpu_ms, 1),
            "load": load_average()[0],
            **measured,
        }
        results.append(row)
        print(
            f"  {mode:<9} {label:<48} {row['rps']:>8.1f} req/s  p50 {row['p50_ms']:>6.1f} ms  p99 {row['p99_ms']:>6.1f} ms  "
            f"{row['queries']:>3} q  {row['cpu_ms']:>5.1f} CPU ms  {row['bytes']:>7} B  errors {row['errors']}  load {row['load']}",
            flush=True,
        )

    log = RESULTS / "gunicorn-bench.log"
    server = Gunicorn(db_url, port=args.port, workers=args.workers, log_path=log, BENCH_CEILING="true")
    with server.start(wait_path="/bench/ceiling"):
        measure(server, "ceiling", *public[0])
        for mode in modes:
            if mode == "miss":
                continue
            for page in plan[mode]:
                measure(server, mode, *page)
        memory_after_pages = server.worker_memory()
        if not args.no_export:
            export = measure_export(server, "/data/usulan.csv")
            print(f"  export {export['path']}: {export['lines']:,} lines, {export['bytes']:,} B in {export['seconds']} s, "
                  f"worker peak {export['peak_before_kib']} -> {export['peak_after_kib']} KiB", flush=True)
        memory_final = server.worker_memory()
        phone = phone_weight.measure(server.base, args.db)  # bytes a phone downloads (bench/phone_weight.py)
    if "miss" in modes:
        server = Gunicorn(db_url, port=args.port, workers=args.workers, log_path=log, BENCH_CEILING="true", PAGE_CACHE_SECONDS="0")
        with server.start(wait_path="/bench/ceiling"):
            for page in plan["miss"]:
                measure(server, "miss", *page)
            for pid, values in server.worker_memory().items():
                memory_after_pages[pid] = values

    ceiling = results[0]["rps"]
    results[0]["mode"] = "ceiling"
    for row in results:
        row["ratio"] = round(row["rps"] / ceiling, 2) if ceiling else None
    report = {
        "generated_at": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "hardware": hardware(),
        "postgresql": _postgres_version(),
        "load_average": {"before": load_before, "after": load_average()},
        "modes": modes,
        "settings": {
            "duration_s": args.duration,
            "connections": args.connections,
            "wrk_threads": args.threads,
            "gunicorn_workers": args.workers,
            "worker_class": "sync",
        },
        "seed": {k: manifest[k] for k in ("scale", "counts", "table_rows", "seconds", "timings_s")},
        "pages": results,
        "workers_memory_kib": {"after_pages": memory_after_pages, "after_export": memory_final},
        "export": export,
        "phone_weight": phone,
    }
    paths = write_reports(report, RESULTS / f"bench-{args.db}")
    print(f"report: {paths[0]} and {paths[1]}")
    return report


def _postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
