"""Assessment pages: schemes, assessments, rankings with their breakdowns, exports."""

from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("compute/", views.compute, name="compute"),
    path("schemes/<slug:name>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<slug:name>/version/", views.scheme_version, name="scheme_version"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/subjects/<str:key>/", views.breakdown, name="breakdown"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/adjust/", views.adjust, name="adjust"),
    path("adjustments/<int:pk>/delete/", views.adjustment_delete, name="adjustment_delete"),
    path("<int:pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<int:pk>/export.docx", views.export_docx, name="export_docx"),
]
