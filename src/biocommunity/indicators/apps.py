from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "biocommunity.indicators"
    label = "indicators"
    verbose_name = _("Indicators")
    # load-dataset calls this after the registry, with the dataset's name.
    dataset_loader = "biocommunity.indicators.services.loading.load_figures"
