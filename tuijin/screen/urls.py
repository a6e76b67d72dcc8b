"""The big screen page and the figures it refreshes itself from."""

from django.urls import path  # noqa: F401

app_name = "screen"
urlpatterns: list = []
