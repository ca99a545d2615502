from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "biocommunity.matching"
    verbose_name = _("Matching")
    default_auto_field = "django.db.models.BigAutoField"
    # load-dataset calls this after the registry: the capability profiles the dataset ships.
    dataset_loader = "biocommunity.matching.services.dataset.load_capability_profiles"

    def ready(self) -> None:
        from biocommunity.matching import signals  # noqa: F401
