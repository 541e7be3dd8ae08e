"""Small presentation helpers shared by the views and templates."""


def format_price(cents):
    return f"${cents / 100:,.2f}"


def highlight(term):
    """The heading of the search page, with the search term marked."""
    if not term:
        return "All products"
    return f"Results for <mark>{term}</mark>"
