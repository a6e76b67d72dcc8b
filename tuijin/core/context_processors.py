from django.conf import settings


def site(request):
    return {"zone_title": settings.TUIJIN_ZONE_TITLE}
