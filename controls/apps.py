from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlsConfig(AppConfig):
    name = "controls"
    verbose_name = _("Control catalogues and Statement of Applicability")
    default_auto_field = "django.db.models.BigAutoField"
