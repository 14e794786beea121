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

# Everything loaded so far lives as long as the process: Django and the apps, with pypinyin's phrase
# dictionary, some 260,000 objects the garbage collector tracks. Leave them out of its passes: a full
# pass over them took about 80 ms in a request, once every few hundred requests, and in a worker forked
# from gunicorn's master it would copy pages of the master's memory by touching every object.
gc.freeze()
