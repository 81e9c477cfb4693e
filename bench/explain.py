"""Find the slow spots: run a page through the test client and EXPLAIN ANALYZE every query it made.

    python -m bench.explain [--db bench] [--plans] /usulan/ "/usulan/?q=jalan+rusak" ...

Prints each query's execution time (slowest first); --plans prints the plans of those over 2 ms.
"""

from __future__ import annotations

import argparse
import time

from bench.common import database_url, setup_django


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench")
    parser.add_argument("--plans", action="store_true")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    setup_django(database_url(args.db))

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    for path in args.paths:
        client.get(path)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        total = (time.perf_counter() - started) * 1000
        sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        print(f"\n== {path}: {response.status_code}, {len(captured)} queries, {total:.1f} ms total, {sql_ms:.1f} ms in SQL")
        timed = []
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = [row[0] for row in cursor.fetchall()]
                execution = next((float(line.split(":")[1].split()[0]) for line in plan if line.startswith("Execution Time")), 0.0)
                timed.append((execution, sql, plan))
        for execution, sql, plan in sorted(timed, key=lambda item: -item[0]):
            print(f"  {execution:8.2f} ms  {sql[:220]}")
            if args.plans and execution > 2:
                print("\n".join("      " + line for line in plan))


if __name__ == "__main__":
    main()
