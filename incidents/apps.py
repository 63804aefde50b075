from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents and breach notification clocks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Notification drafts as PDF documents (reports app).
        from incidents.documents import register_documents

        register_documents()
