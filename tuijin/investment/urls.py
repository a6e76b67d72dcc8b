"""Investment pages: the enterprise's monthly reporting (views.reporting) and the office's side (views.office)."""

from django.urls import path  # noqa: F401

app_name = "investment"


# --- enterprise reporting (views/reporting.py) ---
def _reporting_urls() -> list:
    from .views import reporting

    return [
        path("reports/", reporting.report_home, name="report_home"),
        path("reports/<int:pk>/", reporting.report_detail, name="report_detail"),
        path("reports/<int:project>/<int:year>/<int:month>/", reporting.report_edit, name="report_edit"),
        path("photos/<int:pk>/", reporting.photo, name="photo"),
        path("photos/<int:pk>/thumbnail/", reporting.photo_thumbnail, name="photo_thumbnail"),
        path("photos/<int:pk>/delete/", reporting.photo_delete, name="photo_delete"),
    ]


reporting_urls: list = _reporting_urls()


# --- office: review queue, plans, project tab, dashboard (views/office.py) ---
def _office_urls() -> list:
    from .views import office

    return [
        path("", office.dashboard, name="dashboard"),
        path("review/", office.review_queue, name="review_queue"),
        path("review/<int:pk>/accept/", office.review_accept, name="review_accept"),
        path("review/<int:pk>/return/", office.review_return, name="review_return"),
        path("review/<int:pk>/reopen/", office.review_reopen, name="review_reopen"),
        path("projects/<int:pk>/", office.project_investment, name="project"),
        path("projects/<int:pk>/plan/", office.project_plan, name="project_plan"),
    ]


office_urls: list = _office_urls()

urlpatterns = reporting_urls + office_urls
