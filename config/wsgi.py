"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Build jieba's dictionary now, in gunicorn's master when preloading, so that
# workers share it instead of each building it on their first search.
from search.index.text import tokenizer  # noqa: E402

tokenizer()

# Everything loaded so far (Django, the apps, pypinyin's phrase dictionary, jieba: some 260,000 objects
# the collector tracks) lives as long as the process: leave it out of the collector's passes. A full pass
# over it took 70-90 ms in a request, once every few hundred requests; and workers forked from gunicorn's
# master share more of its memory, which a pass would copy by touching every object.
gc.freeze()
