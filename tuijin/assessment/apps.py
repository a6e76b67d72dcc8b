from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "tuijin.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        # Briefing templates may quote the latest published ranking as {{ assessment.… }}.
        from tuijin.briefing.context import register

        from .briefing import assessment_provider

        register("assessment", assessment_provider)
