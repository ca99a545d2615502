from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from biocommunity.api import api
from biocommunity.core.health import health
from biocommunity.core.views import secretariat_hub

urlpatterns = [
    path("api/", api.urls),
    path("health", health, name="health"),
    path("", RedirectView.as_view(url="/ja/", permanent=False)),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("biocommunity.core.urls")),
    path("accounts/", include("biocommunity.people.urls")),
    path("figures/", include("biocommunity.indicators.urls")),
    path("certification/", include("biocommunity.assessment.urls")),
    path("matching/", include("biocommunity.matching.urls")),
    path("search/", include("biocommunity.portal.urls")),
    path("secretariat/", secretariat_hub, name="secretariat"),
    path("secretariat/jobs/", include("biocommunity.jobs.urls")),
    path("", include("biocommunity.registry.urls")),
    prefix_default_language=True,
)
