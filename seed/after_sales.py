"""Demo data of SECTION C: returns, repair and after-sales, spare parts, tools, documents."""


def seed(ctx):
    return {}
