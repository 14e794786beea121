"""Production readiness: settings from the environment, security headers, throttling, caching, faults."""

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.urls import reverse
from gunicorn.config import Config as GunicornConfig
from gunicorn.http.parser import RequestParser
from gunicorn.http.wsgi import create as gunicorn_environ

from cases.models import Case, CaseItem
from search.index.version import content_version

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = secrets.token_urlsafe(60)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process with the given environment (settings are read at start-up)."""
    return python("manage.py", *args, **env)


def python(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run Python in a fresh process from the project's directory, with this environment less the production
    settings, plus ``env``."""
    base = {key: value for key, value in os.environ.items() if key not in {"DJANGO_ENV", "SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestProductionSettings:
    def test_refuses_to_start_without_a_secret_key(self):
        result = manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="example.org")
        assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr

    def test_refuses_to_start_with_debug_on(self):
        result = manage("check", DJANGO_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="x.org", DEBUG="1")
        assert result.returncode != 0 and "DEBUG must be off" in result.stderr

    def test_refuses_to_start_without_allowed_hosts(self):
        result = manage("check", DJANGO_ENV="production", SECRET_KEY=GOOD_KEY)
        assert result.returncode != 0 and "ALLOWED_HOSTS must be set" in result.stderr

    def test_deploy_check_is_clean(self):
        result = manage(
            "check", "--deploy", "--fail-level", "WARNING", DJANGO_ENV="production", SECRET_KEY=GOOD_KEY,
            ALLOWED_HOSTS="cases.example.org",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr

    def test_the_admin_path_is_configurable(self):
        result = manage(
            "shell", "-c", "from django.urls import reverse; print(reverse('admin:index'))",
            DJANGO_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="x.org", ADMIN_URL="manage-7f3a",
        )  # fmt: skip
        assert result.stdout.strip().endswith("/manage-7f3a/"), result.stderr

    def test_the_wsgi_entry_point_leaves_what_it_loaded_out_of_garbage_collection(self):
        """What gunicorn's master loads (Django, pypinyin's dictionary) is never walked by a collection in a
        request: no pause of tens of milliseconds, and fewer pages of the master's copied into each worker."""
        check = "import gc, config.wsgi; print(gc.get_freeze_count() > 100_000, len(gc.get_objects()) < 10_000)"
        result = python("-c", check)
        assert result.stdout.split() == ["True", "True"], result.stderr


def test_gunicorn_takes_the_scheme_from_no_forwarding_header():
    """Django alone decides, from a proxy in TRUSTED_PROXIES: were gunicorn to believe a local client's
    X-Forwarded-Proto, that client would get https links whatever the list says."""
    config = GunicornConfig()
    for name, value in runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)  # as gunicorn loads its configuration file
    request = b"GET /cases/1/ HTTP/1.1\r\nHost: cases.example.org\r\nX-Forwarded-Proto: https\r\n\r\n"
    local = ("127.0.0.1", 50000)
    parsed = next(iter(RequestParser(config, [request], local)))
    _, environ = gunicorn_environ(parsed, None, local, ("127.0.0.1", 8000), config)
    assert environ["wsgi.url_scheme"] == "http" and environ["HTTP_X_FORWARDED_PROTO"] == "https"


class TestHeaders:
    def test_pages_carry_a_csp_without_inline_script_and_the_other_headers(self, client):
        response = client.get("/")
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"

    @pytest.mark.parametrize("path", ["/", "/search/?q=融资", "/regions/", "/topics/", "/compare/?case=1&case=2"])
    def test_public_pages_have_no_inline_script_or_style(self, client, path):
        html = client.get(path).content.decode()
        assert "<script>" not in html and "<style" not in html and " style=" not in html


class TestLoginThrottling:
    def test_repeated_failures_lock_the_username_out(self, client, django_user_model):
        django_user_model.objects.create_superuser("editor", "e@example.org", "correct horse battery")
        login = reverse("admin:login")
        statuses = [client.post(login, {"username": "editor", "password": "wrong"}).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 200, 429]  # the form again with an error, then locked at the fifth
        locked = client.post(login, {"username": "editor", "password": "correct horse battery"})
        assert locked.status_code == 429
        assert "登录已暂时锁定" in locked.content.decode()


class TestCaching:
    def test_a_page_is_served_from_the_cache_until_the_library_changes(
        self, client, django_capture_on_commit_callbacks
    ):
        first = client.get("/search/", {"q": "融资"})
        assert first["X-Cache"] == "miss"
        again = client.get("/search/", {"q": "融资"})
        # The same page, but for the CSRF token of its forms, which is each visitor's own.
        token = re.compile(rb'name="csrfmiddlewaretoken" value="\w+"')
        assert again["X-Cache"] == "hit" and token.sub(b"", again.content) == token.sub(b"", first.content)
        # The same query with its parameters in another order is the same entry.
        assert client.get("/search/", {"q": "融资", "topic": "finance", "region": "hubei"})["X-Cache"] == "miss"
        assert client.get("/search/?region=hubei&q=%E8%9E%8D%E8%B5%84&topic=finance")["X-Cache"] == "hit"

        version = content_version()
        case = Case.objects.get(number=4)
        case.title = "拓宽境外融资渠道的新做法"
        with django_capture_on_commit_callbacks(execute=True):  # the version is bumped when the write commits
            case.save()
        assert content_version() > version
        fresh = client.get("/search/", {"q": "融资"})
        assert fresh["X-Cache"] == "miss" and "拓宽境外融资渠道的新做法" in fresh.content.decode()

    def test_staff_are_never_served_from_the_cache(self, client, admin_client):
        client.get("/cases/")
        assert client.get("/cases/")["X-Cache"] == "hit"
        assert "X-Cache" not in admin_client.get("/cases/")

    def test_a_cache_outage_only_costs_speed(self, client):
        with mock.patch.object(cache, "get", side_effect=ConnectionError("redis down")):
            assert client.get("/search/", {"q": "融资"}).status_code == 200

    def test_during_a_cache_outage_each_process_keeps_the_labels_and_counts_it_read(self, client):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with mock.patch.object(cache, "get_or_set", side_effect=ConnectionError("redis down")):
            client.get("/search/", {"q": "融资 武汉"})  # reads the labels, the synonyms and the library's counts
            with CaptureQueriesContext(connection) as queries:
                page = client.get("/search/", {"q": "服务 人才"})
        assert page.status_code == 200 and "另有 <strong>" in page.content.decode()
        tables = " ".join(query["sql"] for query in queries)
        assert "regions_region" not in tables and "search_synonym" not in tables
        assert sum("GROUP BY" in query["sql"] for query in queries) == 1  # this search's counts, not the library's


class TestFaults:
    def test_an_unreachable_database_gives_the_503_page(self, client):
        failure = OperationalError("connection refused")
        with mock.patch("search.views.search_page", side_effect=failure):
            response = client.get("/search/", {"q": "融资"})
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        html = response.content.decode()
        assert "服务暂时不可用" in html and "OperationalError" not in html and "Traceback" not in html
        assert client.get("/search/", {"q": "融资"}).status_code == 200  # and it recovers by itself

    def test_healthz_reports_database_and_index(self, client):
        body = client.get("/healthz").json()
        assert body == {"status": "ok", "database": "ok", "search": {"cases": 20, "indexed": 20}}

    def test_healthz_fails_when_the_index_is_out_of_step(self, client):
        from search.models import SearchDocument

        SearchDocument.objects.filter(case__number=3).delete()
        response = client.get("/healthz")
        assert response.status_code == 503 and "reindex" in response.json()["search"]["problem"]

    def test_an_import_that_fails_halfway_leaves_the_database_as_it_was(self, source_path, tmp_path):
        from cases import services

        before = list(Case.objects.order_by("pk").values_list("pk", "title", "summary", "updated_at"))
        before_items = list(CaseItem.objects.order_by("pk").values_list("pk", "body"))
        real = services._update_rows
        calls = {"n": 0}

        def fail_on_the_second(*args, **kwargs):  # the changed cases are written, then their items fail
            calls["n"] += 1
            if calls["n"] == 2:
                raise OperationalError("disk I/O error")
            return real(*args, **kwargs)

        text = source_path.read_text(encoding="utf-8").replace("允许和鼓励", "允许并鼓励")
        changed = tmp_path / "changed-source.txt"
        changed.write_text(text, encoding="utf-8")
        with (
            mock.patch.object(services, "_update_rows", side_effect=fail_on_the_second),
            pytest.raises(CommandError, match="数据库写入失败"),
        ):
            call_command("import_cases", str(changed), "--collection", "service-trade-2020")
        assert calls["n"] == 2
        assert list(Case.objects.order_by("pk").values_list("pk", "title", "summary", "updated_at")) == before
        assert list(CaseItem.objects.order_by("pk").values_list("pk", "body")) == before_items

    def test_an_unwritable_jieba_cache_is_reported(self, tmp_path, caplog):
        from search.index.text import build_tokenizer

        not_a_directory = tmp_path / "occupied"
        not_a_directory.write_text("a file where the cache directory should be")
        tokenizer = build_tokenizer(not_a_directory / "jieba")
        assert list(tokenizer.cut("铁路提单", HMM=False)) == ["铁路提单"]  # still works, from the source
        assert "不可写" in caplog.text
