"""The WSGI entry point: what `runserver` and WSGI servers (gunicorn, uWSGI) load to serve."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biocommunity.settings")
application = get_wsgi_application()

# Only a process that serves requests gets here (not migrate, tests or other commands): it loads
# the matching model and builds its index on a background thread, so the first visitor after a
# start does not wait for them (BIOCOMMUNITY_MATCHING_WARMUP).
from biocommunity.matching.services import warmup  # noqa: E402

warmup.start()
