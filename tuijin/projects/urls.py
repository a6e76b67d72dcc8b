from django.urls import path

from .views import dashboard, imports, ledger

app_name = "projects"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("projects/", ledger.project_list, name="project_list"),
    path("projects/export.xlsx", ledger.project_export, name="project_export"),
    path("projects/add/", ledger.project_add, name="project_add"),
    path("projects/<int:pk>/", ledger.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", ledger.project_edit, name="project_edit"),
    path("projects/<int:pk>/delete/", ledger.project_delete, name="project_delete"),
    path("projects/<int:pk>/listings/add/", ledger.listing_add, name="listing_add"),
    path("listings/<int:pk>/edit/", ledger.listing_edit, name="listing_edit"),
    path("listings/<int:pk>/delete/", ledger.listing_delete, name="listing_delete"),
    path("periods/", ledger.period_list, name="period_list"),
    path("periods/add/", ledger.period_add, name="period_add"),
    path("periods/<int:pk>/edit/", ledger.period_edit, name="period_edit"),
    path("imports/", imports.import_start, name="import_start"),
    path("imports/<int:pk>/", imports.import_job, name="import_job"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/template.xlsx", imports.import_template, name="import_template"),
]
