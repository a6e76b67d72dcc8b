from django.urls import include, path

from tuijin.api import api

urlpatterns = [
    path("", include("tuijin.projects.urls")),
    path("regions/", include("tuijin.regions.urls")),
    path("accounts/", include("tuijin.accounts.urls")),
    path("changes/", include("tuijin.core.urls")),
    path("schedule/", include("tuijin.schedule.urls")),
    path("investment/", include("tuijin.investment.urls")),
    path("coordination/", include("tuijin.coordination.urls")),
    path("assessment/", include("tuijin.assessment.urls")),
    path("screen/", include("tuijin.screen.urls")),
    path("briefings/", include("tuijin.briefing.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
