"""What the home page shows; each section is filled by the app that owns it."""

from consultations import home as consultations_home
from participation import home as participation_home
from programs import home as programs_home


def home_sections(user) -> dict:
    sections = {**participation_home.sections(user), **programs_home.sections(user), **consultations_home.sections(user)}
    sections["program_total"] = sum(stage["count"] for stage in sections["program_stages"])
    return sections
