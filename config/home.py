"""What the home page shows; each section is filled by the app that owns it."""


def home_sections(user) -> dict:
    return {}
