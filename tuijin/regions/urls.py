from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="region_list"),
    path("add/", views.region_add, name="region_add"),
    path("<int:pk>/edit/", views.region_edit, name="region_edit"),
]
