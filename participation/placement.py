"""Where a confirmation is shown: beside the button that caused it (see templatetags.portal.placed)."""


def at(place: str) -> str:
    """The `extra_tags` of a message shown at the element with id `place`."""
    return f"at:{place}"
