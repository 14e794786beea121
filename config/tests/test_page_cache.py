"""The page cache cannot be abused: keys come only from what a view understands, within bounds, from trusted headers."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from cases import selection
from cases.models import Case, Topic
from config.content_cache import FEED_PARAMS, SEARCH_PARAMS
from config.tests.test_production import manage
from regions.models import Region
from search.filters import CaseFilter, PageForm
from search.index.version import bump_content_version, content_version
from search.models import ContentVersion

pytestmark = pytest.mark.django_db

SEARCH = reverse("search:search")


def x_cache(response) -> str | None:
    return response.headers.get("X-Cache")


CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="\w+"')


def body(response) -> bytes:
    """The page but for the CSRF token of its forms, which is each visitor's own."""
    return CSRF_TOKEN.sub(b"", response.content)


class TestKeys:
    def test_an_unknown_parameter_is_served_the_cached_page_and_never_written_into_links(self, client):
        first = client.get(SEARCH + "?q=融资&utm_source=newsletter&fbclid=abc")
        html = first.content.decode()
        assert x_cache(first) == "miss" and "融资" in html
        # The facet, sort and export links repeat the query without the stray parameters.
        assert "utm_source" not in html and "fbclid" not in html and "newsletter" not in html
        plain = client.get(SEARCH, {"q": "融资"})
        assert x_cache(plain) == "hit" and body(plain) == body(first)
        other = client.get(SEARCH + "?q=融资&utm_source=other&ref=1")
        assert x_cache(other) == "hit" and body(other) == body(first)

    def test_order_and_repeated_values_make_one_entry(self, client):
        first = client.get(SEARCH + "?topic=finance&q=融资&region=hubei&topic=finance")
        assert x_cache(first) == "miss"
        again = client.get(SEARCH + "?region=hubei&region=hubei&q=融资&topic=finance")
        assert x_cache(again) == "hit" and body(again) == body(first)

    def test_the_order_of_values_of_one_parameter_still_counts_where_it_matters(self, client):
        one = client.get(reverse("cases:compare") + "?case=1&case=2")
        other = client.get(reverse("cases:compare") + "?case=2&case=1")
        assert (x_cache(one), x_cache(other)) == ("miss", "miss")  # the columns are in the order given
        assert client.get(reverse("cases:compare") + "?case=1&case=2&case=1")["X-Cache"] == "hit"

    def test_a_case_has_one_address_and_one_entry(self, client):
        case = Case.objects.get(number=13)
        assert client.get(case.get_absolute_url()).status_code == 200
        for spelling in (f"/cases/0{case.pk}/", f"/cases/000{case.pk}/", f"/api/cases/0{case.pk}/", "/cases/0/"):
            response = client.get(spelling)
            assert response.status_code == 404 and x_cache(response) is None, spelling
        assert x_cache(client.get(case.get_absolute_url())) == "hit"

    def test_a_page_without_parameters_ignores_any(self, client):
        case = Case.objects.get(number=4)
        first = client.get(case.get_absolute_url() + "?page=2&q=x")
        assert x_cache(first) == "miss"
        assert x_cache(client.get(case.get_absolute_url())) == "hit"

    def test_an_overlong_value_is_answered_but_not_cached(self, client, settings):
        long_query = "融资" * (settings.PAGE_CACHE_MAX_VALUE_LENGTH // 2 + 1)
        for _ in range(2):
            response = client.get(SEARCH, {"q": long_query})
            assert response.status_code == 200 and x_cache(response) is None

    def test_too_many_values_of_one_parameter_are_answered_but_not_cached(self, client, settings):
        regions = list(
            Region.objects.order_by("pk").values_list("slug", flat=True)[: settings.PAGE_CACHE_MAX_VALUES + 1]
        )
        for _ in range(2):
            response = client.get(SEARCH, {"q": "融资", "region": regions})
            assert response.status_code == 200 and x_cache(response) is None
        within = regions[: settings.PAGE_CACHE_MAX_VALUES]
        assert x_cache(client.get(SEARCH, {"q": "融资", "region": within})) == "miss"
        assert x_cache(client.get(SEARCH, {"q": "融资", "region": within})) == "hit"

    def test_a_number_not_written_as_the_site_writes_it_is_answered_but_not_cached(self, client):
        compare = reverse("cases:compare")
        a, b = Case.objects.filter(number__in=[4, 11]).order_by("number").values_list("pk", flat=True)
        odd_spellings = [
            (SEARCH, {"q": "融资", "page": "01"}),
            (SEARCH, {"q": "融资", "page": " 1"}),
            (compare, {"case": [f" {a}", str(b)]}),
            (compare, {"case": [f"{a}\u3000", str(b)]}),
            (compare, {"choose": "2"}),
        ]
        for url, params in odd_spellings:
            for _ in range(2):
                response = client.get(url, params)
                assert response.status_code == 200 and x_cache(response) is None, params
        assert [x_cache(client.get(compare, {"case": [a, b]})) for _ in range(2)] == ["miss", "hit"]

    def test_a_page_made_from_a_value_the_view_left_out_or_corrected_is_not_stored(self, client):
        compare = reverse("cases:compare")
        for url, params, shown in [
            (SEARCH, {"q": "融资", "region": "nowhere"}, "没有标识为“nowhere”的地区。"),
            (compare, {"page": "999"}, "比较所选案例"),  # the chooser's last page
        ]:
            for _ in range(2):
                response = client.get(url, params)
                assert response.status_code == 200 and x_cache(response) == "miss", params
                assert "no-store" in response["Cache-Control"] and shown in response.content.decode()
        assert [x_cache(client.get(SEARCH, {"q": "融资", "region": "hubei"})) for _ in range(2)] == ["miss", "hit"]

    def test_the_known_parameters_are_those_the_forms_read(self):
        filter_fields = set(CaseFilter().form.fields)
        assert set(SEARCH_PARAMS) == filter_fields | set(PageForm.base_fields)
        assert set(FEED_PARAMS) == filter_fields - {"sort"}  # a feed is always newest first

    def test_the_api_and_the_feed_are_keyed_the_same_way(self, client):
        api = reverse("api:case_list")
        assert x_cache(client.get(api + "?q=融资&page_size=5&callback=x")) == "miss"
        assert x_cache(client.get(api + "?page_size=5&q=融资")) == "hit"
        feed = reverse("search:feed")
        assert x_cache(client.get(feed + "?q=融资&sort=number")) == "miss"
        assert x_cache(client.get(feed + "?q=融资")) == "hit"


class TestWhoIsServedFromTheCache:
    def test_a_forged_or_stale_session_cookie_is_served_from_the_cache(self, client):
        first = client.get(SEARCH, {"q": "融资"})
        client.cookies["sessionid"] = "forged0000000000000000000000abcd"
        again = client.get(SEARCH, {"q": "融资"})
        assert x_cache(again) == "hit" and body(again) == body(first)

    def test_a_staff_session_that_has_expired_is_served_from_the_cache(self, client, admin_client):
        assert x_cache(admin_client.get(SEARCH, {"q": "融资"})) is None
        first = client.get(SEARCH, {"q": "融资"})
        stale = admin_client.cookies["sessionid"].value
        Session.objects.filter(session_key=stale).update(expire_date=timezone.now() - timedelta(minutes=1))
        client.cookies["sessionid"] = stale
        again = client.get(SEARCH, {"q": "融资"})
        assert x_cache(again) == "hit" and body(again) == body(first)

    def test_staff_bypass_the_cache_and_see_drafts(self, client, admin_client):
        case = Case.objects.get(number=4)
        case.status = Case.Status.DRAFT
        case.save()
        assert client.get(case.get_absolute_url()).status_code == 404
        client.get("/cases/")
        assert x_cache(client.get("/cases/")) == "hit"
        staff_page = admin_client.get(case.get_absolute_url())
        assert staff_page.status_code == 200 and x_cache(staff_page) is None
        assert x_cache(admin_client.get("/cases/")) is None

    def test_a_visitor_with_a_selection_gets_pages_made_for_them(self, client):
        client.get(SEARCH, {"q": "融资"})
        session = client.session
        session[selection.SESSION_KEY] = [case.pk for case in Case.objects.filter(number__in=[4, 11])]
        session.save()
        client.cookies["sessionid"] = session.session_key
        response = client.get(SEARCH, {"q": "融资"})
        assert response.status_code == 200 and x_cache(response) is None

    def test_a_message_about_the_selection_is_shown_on_the_next_page_though_that_page_is_cached(self, client):
        page = SEARCH + "?q=融资"
        client.get(page)
        unknown = Case.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
        client.post(reverse("cases:selection_add"), {"case": str(unknown), "next": page})
        shown = client.get(page)
        assert x_cache(shown) is None and f"没有标识为 {unknown} 的已发布案例，未加入。" in shown.content.decode()
        again = client.get(page)  # shown once; the page is the shared one again
        assert x_cache(again) == "hit" and "未加入" not in again.content.decode()


class TestForwardedHeaders:
    @pytest.fixture
    def behind_proxy(self, settings):
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        settings.TRUSTED_PROXIES = ["10.0.0.0/24"]

    def test_a_forged_scheme_from_an_untrusted_address_is_ignored(self, client, behind_proxy):
        case = Case.objects.get(number=4)
        plain = client.get(case.get_absolute_url())
        assert f'href="http://testserver{case.get_absolute_url()}"' in plain.content.decode()
        forged = client.get(case.get_absolute_url(), HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.9")
        assert x_cache(forged) == "hit" and body(forged) == body(plain)
        api = client.get(reverse("api:case_detail", args=[case.pk]), HTTP_X_FORWARDED_PROTO="https")
        assert api.json()["url"].startswith("http://testserver/")

    def test_the_trusted_proxy_is_believed(self, client, behind_proxy):
        case = Case.objects.get(number=4)
        client.get(case.get_absolute_url())
        proxied = client.get(
            case.get_absolute_url(), HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.7", HTTP_HOST="testserver"
        )
        assert x_cache(proxied) == "miss"  # an https page is its own entry
        assert f'href="https://testserver{case.get_absolute_url()}"' in proxied.content.decode()

    def test_no_proxy_is_trusted_by_default(self, client, settings):
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        assert settings.TRUSTED_PROXIES == []
        case = Case.objects.get(number=4)
        response = client.get(reverse("api:case_detail", args=[case.pk]), HTTP_X_FORWARDED_PROTO="https")
        assert response.json()["url"].startswith("http://testserver/")


class TestSize:
    def test_a_response_over_the_limit_is_served_but_not_stored(self, client, settings):
        page = client.get(SEARCH)
        size = len(page.content)
        cache.clear()
        settings.PAGE_CACHE_MAX_BYTES = size - 1
        assert [x_cache(client.get(SEARCH)) for _ in range(2)] == ["miss", "miss"]
        assert body(client.get(SEARCH)) == body(page)
        settings.PAGE_CACHE_MAX_BYTES = size
        assert [x_cache(client.get(SEARCH)) for _ in range(2)] == ["miss", "hit"]


class TestInvalidation:
    def test_the_version_lives_in_the_database_so_another_process_sees_a_bump(self, client):
        first = client.get(SEARCH, {"q": "融资"})
        assert x_cache(client.get(SEARCH, {"q": "融资"})) == "hit"
        version = content_version()
        # Another process bumps: the row changes, nothing in this process's memory does.
        ContentVersion.objects.update(version=F("version") + 1)
        assert content_version() > version
        assert x_cache(client.get(SEARCH, {"q": "融资"})) == "miss"
        # A process with an empty cache of its own (a fresh worker) reads the same number.
        cache.clear()
        assert content_version() // 1000 == ContentVersion.objects.get().version
        assert body(client.get(SEARCH, {"q": "融资"})) == body(first)

    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    @pytest.mark.skipif(connection.vendor != "postgresql", reason="another process needs the test database's server")
    def test_a_bump_in_another_process_reaches_this_one_at_once(self, client):
        client.get(SEARCH, {"q": "融资"})
        assert x_cache(client.get(SEARCH, {"q": "融资"})) == "hit"
        database = connection.settings_dict
        login = quote(database["USER"]) + (f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else "")
        url = f"postgres://{login}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        bump = "from search.index.version import bump_content_version; bump_content_version()"
        bumped = manage("shell", "-c", bump, DATABASE_URL=url)
        assert bumped.returncode == 0, bumped.stderr
        assert x_cache(client.get(SEARCH, {"q": "融资"})) == "miss"

    def test_deleting_a_topic_that_labels_no_case_takes_it_off_cached_pages(
        self, client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            topic = Topic.objects.create(name="临时主题", slug="temporary")
        topics = reverse("cases:topic_list")
        assert "临时主题" in client.get(topics).content.decode()
        assert x_cache(client.get(topics)) == "hit"
        with django_capture_on_commit_callbacks(execute=True):
            topic.delete()
        response = client.get(topics)
        assert x_cache(response) == "miss" and "临时主题" not in response.content.decode()
        assert client.get(reverse("cases:topic_detail", args=["temporary"])).status_code == 404

    def test_an_edit_bumps_the_version_when_it_commits_and_a_rolled_back_one_does_not(
        self, client, django_capture_on_commit_callbacks
    ):
        client.get(SEARCH, {"q": "融资"})
        version = content_version()
        case = Case.objects.get(number=4)
        committed = ContentVersion.objects.get().version
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
            case.title = "拓宽境外融资渠道的新做法"
            case.save()
            # The writer's own process stops serving the old pages at once; the database's number moves
            # only when the write commits.
            assert content_version() > version and ContentVersion.objects.get().version == committed
            raise RuntimeError("rolled back")
        assert ContentVersion.objects.get().version == committed
        kept = client.get(SEARCH, {"q": "融资"})
        assert "拓宽境外融资渠道的新做法" not in kept.content.decode()

        case.refresh_from_db()
        case.title = "拓宽境外融资渠道的新做法"
        with django_capture_on_commit_callbacks(execute=True):
            case.save()
        assert ContentVersion.objects.get().version > committed
        fresh = client.get(SEARCH, {"q": "融资"})
        assert x_cache(fresh) == "miss" and "拓宽境外融资渠道的新做法" in fresh.content.decode()

    def test_versions_only_grow_even_after_the_row_is_lost(self, django_capture_on_commit_callbacks):
        version = content_version()
        ContentVersion.objects.all().delete()  # as after a flush
        with django_capture_on_commit_callbacks(execute=True):
            bump_content_version()
        assert content_version() > version
