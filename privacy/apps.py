from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Processing register and Article 66 formalities")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from privacy.documents import register_documents

        register_documents()


# The "Register" tab of templates/base.html: its French label ("Registre") lives in this
# app's catalogue, with the rest of the register's strings.
NAV_TAB_LABEL = _("Register")
