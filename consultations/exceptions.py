"""What the consultation services refuse, each carrying the reason the page shows."""


class ConsultationError(Exception):
    """A refused consultation action; `message` is the Indonesian text shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotOpen(ConsultationError):
    """A response arrived while the consultation was not open (scheduled, closed or a draft)."""

    def __init__(self, message: str, state: str):
        super().__init__(message)
        self.state = state


class AlreadyResponded(ConsultationError):
    """The citizen already has a response; they may change it instead."""


class InvalidResponse(ConsultationError):
    """An unknown position or an overlong comment."""
