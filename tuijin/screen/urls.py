"""The big screen page and the figures it refreshes itself from."""

from django.urls import path

from . import views

app_name = "screen"
urlpatterns = [
    path("", views.index, name="index"),
]
