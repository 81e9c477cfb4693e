class InvalidTransition(Exception):
    """A status change the proposal lifecycle does not allow."""

    def __init__(self, current: str, requested: str):
        super().__init__(f"{current} -> {requested}")
        self.current = current
        self.requested = requested


class AlreadyDone(Exception):
    """The action was already taken (a second support, a second flag)."""
