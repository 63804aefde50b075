from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Information security risk assessment and treatment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The register and the treatment plan as PDF documents (reports app).
        from risks.documents import register_risk_documents

        register_risk_documents()
