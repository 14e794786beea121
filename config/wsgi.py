"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Build jieba's dictionary now, in gunicorn's master when preloading, so that
# workers share it instead of each building it on their first search.
from search.index.text import tokenizer  # noqa: E402

tokenizer()
