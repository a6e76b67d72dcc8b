"""Briefing pages: templates with a preview, generated briefings, edit and publish."""

from django.urls import path

from . import views

app_name = "briefing"
urlpatterns = [
    path("", views.briefing_list, name="briefing_list"),
    path("new/", views.briefing_generate, name="briefing_generate"),
    path("<int:pk>/", views.briefing_detail, name="briefing_detail"),
    path("<int:pk>/docx/", views.briefing_docx, name="briefing_docx"),
    path("<int:pk>/pdf/", views.briefing_pdf, name="briefing_pdf"),
    path("<int:pk>/publish/", views.briefing_publish, name="briefing_publish"),
    path("<int:pk>/delete/", views.briefing_delete, name="briefing_delete"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/add/", views.template_add, name="template_add"),
    path("templates/preview/", views.template_preview, name="template_preview"),
    path("templates/<slug:name>/", views.template_edit, name="template_edit"),
]
