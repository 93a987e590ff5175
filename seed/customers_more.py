"""Demo data of SECTION A: customer archives, tracking, demand, consumer files, patrol visits, care."""


def seed(ctx):
    return {}
