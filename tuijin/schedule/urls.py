from django.urls import path

from .views import project, reference, zone

app_name = "schedule"
urlpatterns = [
    path("portfolio/", zone.portfolio, name="portfolio"),
    path("portfolio/gantt.pdf", zone.portfolio_pdf, name="portfolio_pdf"),
    path("warnings/", zone.warning_board, name="warnings"),
    path("projects/<int:pk>/", project.project_schedule, name="project"),
    path("projects/<int:pk>/gantt.pdf", project.project_pdf, name="project_pdf"),
    path("projects/<int:pk>/checklist/", project.checklist_create, name="checklist_create"),
    path("projects/<int:pk>/target/", project.target_set, name="target_set"),
    path("projects/<int:pk>/target/clear/", project.target_clear, name="target_clear"),
    path("projects/<int:pk>/baselines/", project.baseline_add, name="baseline_add"),
    path("projects/<int:pk>/nodes/add/", project.node_add, name="node_add"),
    path("nodes/<int:pk>/edit/", project.node_edit, name="node_edit"),
    path("nodes/<int:pk>/delete/", project.node_delete, name="node_delete"),
    path("nodes/<int:pk>/report/", project.node_report, name="node_report"),
    path("nodes/<int:pk>/evidence/", project.node_evidence, name="node_evidence"),
    path("templates/", reference.template_list, name="template_list"),
    path("templates/add/", reference.template_add, name="template_add"),
    path("templates/<int:pk>/", reference.template_detail, name="template_detail"),
    path("templates/<int:pk>/edit/", reference.template_edit, name="template_edit"),
    path("calendar/", reference.calendar_overview, name="calendar"),
    path("calendar/<int:year>/", reference.calendar_year, name="calendar_year"),
    path("calendar/<int:year>/days/", reference.calendar_day_add, name="calendar_day_add"),
    path("calendar/<int:year>/source/", reference.calendar_year_edit, name="calendar_year_edit"),
    path("calendar/days/<int:pk>/remove/", reference.calendar_day_remove, name="calendar_day_remove"),
]
