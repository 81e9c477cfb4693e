"""Write the benchmark's results as JSON and Markdown (the Markdown goes into docs/performance.md)."""

from __future__ import annotations

import json
from pathlib import Path

TARGET_RATIO = 0.25
TARGET_P99_MS = 100


def markdown(report: dict) -> str:
    hw, st, seed = report["hardware"], report["settings"], report["seed"]
    counts = seed["counts"]
    lines = [
        f"Measured {report['generated_at']} on {hw['cores']} cores ({hw['cpu']}), {hw['memory_gib']} GiB RAM, "
        f"PostgreSQL {report['postgresql']} on the same machine, Python {hw['python']}.",
        "",
        f"Data (scale {seed['scale']:g}, seeded in {seed['seconds']:.0f} s): {counts['users']:,} users, "
        f"{counts['proposals']:,} proposals, {counts['supports']:,} supports, {counts['comments']:,} comments "
        f"({counts['hot_comments']:,} on one proposal), {counts['programs']:,} programs, "
        f"{counts['consultations']:,} consultations with {counts['responses']:,} responses.",
        "",
        f"Load: wrk, {st['connections']} connections, {st['wrk_threads']} thread, {st['duration_s']} s per page, "
        f"gunicorn with {st['gunicorn_workers']} {st['worker_class']} workers, production settings.",
        "",
        "| page | req/s | p50 ms | p99 ms | queries | bytes | × ceiling | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    for row in report["pages"]:
        if row["key"] == "ceiling":
            verdict = "—"
        else:
            ok = (row["ratio"] or 0) >= TARGET_RATIO and row["p99_ms"] < TARGET_P99_MS and not row["errors"]
            verdict = "ok" if ok else "**missed**"
        lines.append(
            f"| {row['label']} (`{row['path']}`) | {row['rps']:,.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row['queries']} | {row['bytes']:,} | {row['ratio']:.2f} | {verdict} |"
        )
    lines += ["", "Worker memory after the page runs (peak resident set, VmHWM):", ""]
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
