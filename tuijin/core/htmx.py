def is_htmx(request) -> bool:
    """An htmx request that swaps part of the page (not a boosted full-page navigation)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
