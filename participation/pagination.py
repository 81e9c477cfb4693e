"""Paging a list that may hold a million public proposals, in bounded time.

Django's Paginator counts every matching row and reads a page with OFFSET over whole rows. Both
grow with the table (docs/performance.md has the numbers). This paginator keeps its interface
and its query count, and changes two things:

- The count is exact up to COUNT_CAP rows (a count over at most that many index entries). Above
  it, on PostgreSQL, it is the planner's estimate, and `count_is_estimate` says so; the page says
  "sekitar" (about). SQLite always counts exactly.
- A page reads its ids first, in one subquery the planner answers from the sort-order index alone
  (an index-only scan), and then loads only those rows: `WHERE id IN (SELECT id ... OFFSET n LIMIT 20)`.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

COUNT_CAP = 10_000


def bounded_count(queryset) -> tuple[int, bool]:
    """(count, is_estimate): exact up to COUNT_CAP rows, PostgreSQL's estimate above it."""
    queryset = queryset.order_by()
    exact = queryset.values("pk")[: COUNT_CAP + 1].count()
    if exact <= COUNT_CAP:
        return exact, False
    estimate = _planner_estimate(queryset)
    if estimate is None:
        return queryset.count(), False
    return max(estimate, exact), True


class LargeListPaginator(Paginator):
    count_is_estimate = False

    @cached_property
    def count(self) -> int:
        count, self.count_is_estimate = bounded_count(self.object_list)
        return count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


def _planner_estimate(queryset) -> int | None:
    """PostgreSQL's own row estimate for the query (EXPLAIN, nothing executed); None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
