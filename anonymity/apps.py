from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AnonymityConfig(AppConfig):
    name = "anonymity"
    verbose_name = _("Anonymity assessments and free-text scanning")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        if apps.is_installed("reports"):
            from anonymity.documents import register

            register()
