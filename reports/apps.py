from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("PDF documents rendered by workers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reports.documents import register_builtin_documents

        register_builtin_documents()
