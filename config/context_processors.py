from django.conf import settings


def portal(request):
    """Names every page needs: the portal's and the region's; the reference-data version for fragments."""
    from django.utils.functional import SimpleLazyObject

    from config import fragments, shared_pages

    return {
        "SITE_NAME": settings.SITE_NAME,
        "REGION_NAME": settings.REGION_NAME,
        # Read from the cache only by a page that shows a fragment built from categories, regions or units.
        "reference_version": SimpleLazyObject(fragments.reference_version),
        # Renewed by any change to public data (config/shared_pages.py), for fragments built from much of it.
        "public_data_version": SimpleLazyObject(shared_pages.public_data_version),
    }


def second_factor(request):
    """For the second-factor pages; callables, so other pages pay nothing for them."""
    from accounts import second_factor as factor

    return {
        "staff_mfa_required": lambda: factor.required_for(getattr(request, "user", None)),
        "continue_url": lambda: request.session.get(factor.NEXT_SESSION_KEY, "") if hasattr(request, "session") else "",
    }
