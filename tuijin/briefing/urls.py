"""Briefing pages: templates with a preview, generated briefings, edit and publish."""

from django.urls import path  # noqa: F401

app_name = "briefing"
urlpatterns: list = []
