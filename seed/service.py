"""Demo data of SECTION B: contacts, feedback, surveys, complaint documents."""


def seed(ctx):
    return {}
