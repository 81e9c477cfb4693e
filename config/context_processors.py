from django.conf import settings


def portal(request):
    """Names every page needs: the portal's and the region's."""
    return {"SITE_NAME": settings.SITE_NAME, "REGION_NAME": settings.REGION_NAME}
