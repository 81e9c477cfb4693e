"""Domain errors of work programs; each carries an Indonesian message fit to show to the user."""

from django.utils.translation import gettext_lazy as _


class ProgramRuleError(Exception):
    """A request the program rules refuse; `message` says why in plain words."""

    default_message = _("Permintaan ini tidak dapat diproses.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class InvalidPhaseMove(ProgramRuleError):
    """A phase start, completion or progress change that breaks the phase order or dates."""


class InvalidSourceProposals(ProgramRuleError):
    """A program must come from one or more published proposals the official may act on."""


class RatingNotOpen(ProgramRuleError):
    """Ratings are taken only while the Monitoring & Evaluasi phase runs."""


class InvalidRating(ProgramRuleError):
    """A score outside 1-5."""


class InvalidUpdate(ProgramRuleError):
    """A progress update on a phase that has not started, or dated outside it."""
