"""Investment plans. The ledger's 年度计划投资 column sets a project's plan for a calendar year."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.core.fields import MoneyField
from tuijin.core.models import ChangeLoggedModel
from tuijin.core.permissions import Scope


class AnnualPlan(ChangeLoggedModel):
    """A project's planned investment for one calendar year (万元)."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="annual_plans")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = MoneyField(_("annual planned investment (万元)"))

    scope = Scope(region_path="project__region__path", enterprise="project__enterprise_id")

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="annual_plan_one_per_year",
                                    violation_error_message=_("This project already has a plan for this year.")),
            models.CheckConstraint(condition=Q(amount__gte=0), name="annual_plan_not_negative",
                                   violation_error_message=_("The annual plan cannot be negative.")),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.year}"

    def change_scope_path(self) -> str:
        return self.project.region.path
