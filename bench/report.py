"""Write the benchmark's results as JSON and Markdown (the Markdown goes into docs/performance.md)."""

from __future__ import annotations

import json
from pathlib import Path

# Targets of issue 15: a page built for a visitor (logged in or a cache miss) reaches a tenth of the
# ceiling's requests per second, a cached page half of it; p99 under 100 ms at 8 connections.
TARGET_RATIO = {"cached": 0.5}
TARGET_RATIO_BUILT = 0.10
TARGET_P99_MS = 100
MODE_LABELS = {
    "cached": "anonymous, page cache",
    "miss": "anonymous, cache miss",
    "citizen": "citizen (logged in)",
    "moderator": "moderator (logged in)",
    "official": "official (logged in)",
}


def meets_target(row: dict) -> bool:
    target = TARGET_RATIO.get(row["mode"], TARGET_RATIO_BUILT)
    return (row["ratio"] or 0) >= target and row["p99_ms"] < TARGET_P99_MS and not row["errors"]


def markdown(report: dict) -> str:
    hw, st, seed = report["hardware"], report["settings"], report["seed"]
    counts = seed["counts"]
    load = report.get("load_average", {})
    lines = [
        f"Measured {report['generated_at']} on {hw['cores']} cores ({hw['cpu']}), {hw['memory_gib']} GiB RAM, "
        f"PostgreSQL {report['postgresql']} on the same machine, Python {hw['python']}. "
        f"Load average (1, 5, 15 min) before the run {load.get('before')}, after {load.get('after')}.",
        "",
        f"Data (scale {seed['scale']:g}, seeded in {seed['seconds']:.0f} s): {counts['users']:,} users, "
        f"{counts['proposals']:,} proposals, {counts['supports']:,} supports, {counts['comments']:,} comments "
        f"({counts['hot_comments']:,} on one proposal), {counts['programs']:,} programs, "
        f"{counts['consultations']:,} consultations with {counts['responses']:,} responses.",
        "",
        f"Load: wrk, {st['connections']} connections, {st['wrk_threads']} thread, {st['duration_s']} s per page, "
        f"gunicorn with {st['gunicorn_workers']} {st['worker_class']} workers, production settings. "
        f"Targets: × ceiling ≥ {TARGET_RATIO['cached']} for cached pages, ≥ {TARGET_RATIO_BUILT} for pages built "
        f"per request (cache miss, logged in), p99 < {TARGET_P99_MS} ms.",
        "",
    ]
    ceiling = next((row for row in report["pages"] if row["key"] == "ceiling"), None)
    if ceiling:
        lines += [
            f"Ceiling (do-nothing Django view, `{ceiling['path']}`): {ceiling['rps']:,.0f} req/s, p50 {ceiling['p50_ms']:.1f} ms, "
            f"p99 {ceiling['p99_ms']:.1f} ms, {ceiling['cpu_ms']:.1f} CPU ms per request.",
            "",
        ]
    for mode in report.get("modes", []):
        rows = [row for row in report["pages"] if row.get("mode") == mode]
        if not rows:
            continue
        lines += [
            f"**{MODE_LABELS.get(mode, mode)}**",
            "",
            "| page | req/s | p50 ms | p99 ms | queries | CPU ms | bytes | × ceiling | target | load |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: |",
        ]
        for row in rows:
            verdict = "ok" if meets_target(row) else "**missed**"
            lines.append(
                f"| {row['label']} (`{row['path']}`) | {row['rps']:,.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
                f"{row['queries']} | {row['cpu_ms']:.1f} | {row['bytes']:,} | {row['ratio']:.2f} | {verdict} | {row['load']:.1f} |"
            )
        lines.append("")
    lines += summary(report)
    lines += ["Worker memory after the page runs (peak resident set, VmHWM):", ""]
    for pid, values in sorted(report["workers_memory_kib"]["after_pages"].items()):
        lines.append(f"- worker {pid}: peak {values['VmHWM'] / 1024:.1f} MiB, now {values['VmRSS'] / 1024:.1f} MiB")
    export = report.get("export")
    if export:
        lines += [
            "",
            f"Open-data export `{export['path']}`: {export['lines'] - 1:,} rows, {export['bytes'] / 1_048_576:.1f} MiB "
            f"in {export['seconds']} s; the serving worker's peak RSS went from {export['peak_before_kib'] / 1024:.1f} MiB "
            f"to {export['peak_after_kib'] / 1024:.1f} MiB (+{export['peak_growth_kib'] / 1024:.1f} MiB).",
        ]
    return "\n".join(lines) + "\n"


def summary(report: dict) -> list[str]:
    """Pages × modes, the ratio to the ceiling: the one table to read first."""
    modes = [mode for mode in report.get("modes", []) if any(row.get("mode") == mode for row in report["pages"])]
    labels: dict[str, str] = {}
    cells: dict[tuple[str, str], str] = {}
    for row in report["pages"]:
        if row["key"] == "ceiling":
            continue
        labels.setdefault(row["key"], row["label"])
        mark = "" if meets_target(row) else " ✗"
        cells[(row["key"], row["mode"])] = f"{row['ratio']:.2f} / {row['p99_ms']:.0f}{mark}"
    lines = [
        "× ceiling / p99 ms per page and mode (✗: target missed):",
        "",
        "| page | " + " | ".join(MODE_LABELS.get(mode, mode) for mode in modes) + " |",
        "| --- | " + " | ".join("---:" for _ in modes) + " |",
    ]
    for key, label in labels.items():
        lines.append(f"| {label} | " + " | ".join(cells.get((key, mode), "—") for mode in modes) + " |")
    return lines + [""]


def write_reports(report: dict, stem: Path) -> tuple[Path, Path]:
    stem.parent.mkdir(parents=True, exist_ok=True)
    json_path = stem.with_suffix(".json")
    md_path = stem.with_suffix(".md")
    json_path.write_text(json.dumps(report, indent=2, default=str))
    md_path.write_text(markdown(report))
    return json_path, md_path


if __name__ == "__main__":
    import sys

    source = Path(sys.argv[1])
    print(markdown(json.loads(source.read_text())))
