"""Demo proposals for `seed_demo`; filled in as the proposal features land."""


def seed_participation() -> None:
    return None
