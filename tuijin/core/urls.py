from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.change_list, name="change_list"),
    path("<int:pk>/", views.change_detail, name="change_detail"),
]
