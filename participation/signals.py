"""Domain events of proposals and comments, sent after the transaction commits.

Apps higher up (notifications) listen; this app never imports them.
"""

from django.dispatch import Signal

# sender=Proposal; kwargs: proposal, actor
proposal_created = Signal()
# sender=Proposal; kwargs: proposal, old_status, new_status, actor
proposal_status_changed = Signal()
# sender=Proposal; kwargs: proposal, actor
proposal_answered = Signal()
# sender=Comment; kwargs: comment, target, actor
comment_posted = Signal()
