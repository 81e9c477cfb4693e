"""The home page's "programs by current phase" section."""

from django.db.models import Count, OuterRef, Subquery

from programs.models import Phase, Program, Stage

PROGRAMS_PER_STAGE = 3


def program_stages(user) -> list[dict]:
    """For each stage: its label, how many programs stand there, and the most recently changed few.

    A fixed number of queries: one count, one list per stage.
    """
    visible = Program.objects.visible_to(user).with_stage()
    counts = {
        row["current_order"]: row["n"] for row in visible.order_by().values("current_order").annotate(n=Count("id"))
    }
    current_progress = (
        Phase.objects.filter(program=OuterRef("pk"))
        .exclude(status=Phase.Status.DONE)
        .order_by("order")
        .values("progress")[:1]
    )
    columns = []
    for stage in Stage:
        order = Phase.ORDER_BY_KIND.get(stage)
        programs = (
            visible.in_stage(stage)
            .annotate(current_progress=Subquery(current_progress))
            .select_related("work_unit")
            .order_by("-updated_at", "-id")[:PROGRAMS_PER_STAGE]
        )
        columns.append({"stage": stage.value, "label": stage.label, "count": counts.get(order, 0), "programs": list(programs)})
    return columns


def sections(user) -> dict:
    return {"program_stages": program_stages(user)}
