"""Small presentation helpers shared by the views and templates."""

from markupsafe import Markup


def format_price(cents):
    return f"${cents / 100:,.2f}"


def highlight(term):
    """The heading of the search page, with the search term marked.

    Markup.format escapes the term, so the result is safe to print as it is.
    """
    if not term:
        return "All products"
    return Markup("Results for <mark>{}</mark>").format(term)
