from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnonymityConfig(AppConfig):
    name = "anonymity"
    verbose_name = _("Anonymity assessments and free-text scanning")
    default_auto_field = "django.db.models.BigAutoField"
