"""Investment pages: the enterprise's monthly reporting (views.reporting) and the office's side (views.office)."""

from django.urls import path  # noqa: F401

app_name = "investment"

# --- enterprise reporting (views/reporting.py) ---
reporting_urls: list = []

# --- office: review queue, plans, project tab, dashboard (views/office.py) ---
office_urls: list = []

urlpatterns = reporting_urls + office_urls
