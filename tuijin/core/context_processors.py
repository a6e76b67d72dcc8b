from django.conf import settings

from .permissions import Action, can


def site(request):
    """Site title and what the navigation may offer (the views still check every request)."""
    from tuijin.projects.models import Project

    from .models import ChangeRecord

    user = getattr(request, "user", None)
    perms = {}
    if user is not None and user.is_authenticated:
        perms = {"add": can(user, Action.ADD, Project), "changes": can(user, Action.VIEW, ChangeRecord)}
    return {"zone_title": settings.TUIJIN_ZONE_TITLE, "perms_ledger": perms}
