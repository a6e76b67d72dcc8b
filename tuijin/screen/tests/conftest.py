import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tuijin.accounts.choices import OrganizationKind
from tuijin.core.testing import organization, plan
from tuijin.investment.models import MonthlyReport
from tuijin.investment.selectors import default_through_month
from tuijin.schedule import services as schedule_services

TODAY = timezone.localdate()
YEAR = TODAY.year
MONTH = default_through_month(YEAR, TODAY)  # the last finished month: what the screen covers by default


@pytest.fixture
def screen_zone(zone):
    """The `zone` fixture made into a campaign worth a wall: this year's plans and monthly reports for a and c (two
    responsible units), coordinates for a, c (郑州经开区) and d (洛阳高新区), b left without, and a red schedule
    for a (投产 due in 30 days with the whole standard checklist still to do)."""
    a, b, c, d = (zone["projects"][k] for k in "abcd")
    builder = organization("经开区住房和城乡建设局", zone["regions"]["jingkai"], OrganizationKind.DEPARTMENT)
    c.responsible_unit = builder
    for p, (lat, lng) in (
        (a, ("34.720000", "113.760000")),
        (c, ("34.700000", "113.800000")),
        (d, ("34.620000", "112.400000")),
    ):
        p.latitude, p.longitude = Decimal(lat), Decimal(lng)
    for p in (a, c, d):
        p.save()
    plan(a, YEAR, "24000")
    plan(c, YEAR, "6000")
    plan(d, YEAR, "9000")
    for p, amount in ((a, "1500.25"), (c, "200"), (d, "800")):
        for m in range(1, MONTH + 1):
            MonthlyReport.objects.create(project=p, year=YEAR, month=m, invested=Decimal(amount), status="accepted")
    schedule_services.checklist_create(project=a)
    schedule_services.target_set(project=a, node="投产", date=TODAY + datetime.timedelta(days=30))
    zone["builder"] = builder
    return zone
