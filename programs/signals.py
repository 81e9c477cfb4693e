"""Domain events of work programs, sent after the transaction commits.

Apps higher up (notifications) listen; this app never imports them.
"""

from django.dispatch import Signal

# sender=Program; kwargs: program, actor
program_created = Signal()
# sender=Program; kwargs: program, phase, old_status, new_status, actor
phase_status_changed = Signal()
# sender=Program; kwargs: program, update, actor
progress_update_posted = Signal()
