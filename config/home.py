"""What the home page shows; each section is filled by the app that owns it."""

from participation import home as participation_home
from programs import home as programs_home
from consultations import home as consultations_home


def home_sections(user) -> dict:
    return {**participation_home.sections(user), **programs_home.sections(user), **consultations_home.sections(user)}
