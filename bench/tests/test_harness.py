"""The benchmark harness: its floor views (served through bench.urls) and the runner's pure parts."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from bench import run

pytestmark = pytest.mark.urls("bench.urls")


@pytest.mark.django_db
def test_floor_json_makes_no_query(api_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get(reverse("bench-floor-json"))
    assert response.status_code == 200
    assert response.json() == {"self": "/bench/floor/json", "floor": "json"}


def test_floor_select_makes_one_query(api_client, user, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = api_client.get(reverse("bench-floor-select", kwargs={"username": "andy"}))
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "andy"
    assert "password" not in response.json()["user"]


def test_floor_select_unknown_user_is_404(api_client, db):
    assert api_client.get(reverse("bench-floor-select", kwargs={"username": "nobody"})).status_code == 404


def test_floor_drf_needs_the_token_and_makes_one_query(api_client, auth_client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the token's user
        response = auth_client.get(reverse("bench-floor-drf"))
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "andy"
    assert api_client.get(reverse("bench-floor-drf")).status_code == 401


def test_the_api_is_served_unchanged_beside_the_floors(api_client, db):
    assert api_client.get(reverse("types:type-list")).status_code == 200
    assert api_client.get("/v2/no/such/thing").json()["error_description"] == "Page Not Found"


TARGETS = {
    "username": "andy", "first": "Andy", "last": "Jarombek", "group_id": 3, "log_ids": [5, 6],
    "commented_log_ids": [6], "comment_ids": [9], "range_start": "2026-01-01", "range_end": "2026-01-31",
    "team_search": "saints",
}


def test_the_mix_names_every_endpoint_of_the_issue():
    mix = {ep.key: ep for ep in run.build_mix(TARGETS)}
    assert {"floor_json", "floor_select", "feed_all", "feed_group", "feed_user", "log_get", "log_comments",
            "log_create", "log_soft_delete", "user_get", "user_statistics", "user_snapshot", "notifications",
            "leaderboard_week", "leaderboard_month", "leaderboard_year", "leaderboard_all", "group_statistics",
            "group_members", "range_view_user", "range_view_group", "team_search"} <= set(mix)
    assert mix["feed_group"].paths == ["/v2/log_feed/group/3/10/0"]
    assert mix["range_view_group"].paths == ["/v2/range_view/groups/3/r/2026-01-01/2026-01-31"]
    assert mix["log_get"].paths == ["/v2/logs/5", "/v2/logs/6"]
    assert mix["log_soft_delete"].method == "DELETE" and "{id}" in mix["log_soft_delete"].paths[0]
    assert '"username": "andy"' in mix["log_create"].body
    assert mix["coach_dashboard"].paths == ["/v2/groups/dashboard/3"] and mix["coach_dashboard"].as_coach
    assert mix["runner_targets"].paths == ["/v2/users/targets/andy"] and not mix["runner_targets"].as_coach


def test_the_many_writers_create_sends_each_runner_with_its_own_body_and_token():
    writers = [{"username": "ann", "first": "Ann", "last": "A"}, {"username": "bob", "first": "Bob", "last": "B"}]
    mix = {ep.key: ep for ep in run.build_mix({**TARGETS, "writers": writers})}
    many = mix["log_create_many"]
    assert (many.kind, many.method, many.paths) == ("write", "POST", ["/v2/logs/"])
    assert [json.loads(w["body"])["username"] for w in many.writers] == ["ann", "bob"]
    assert json.loads(many.writers[1]["body"])["date"] == TARGETS["range_end"]
    assert "log_create_many" not in {ep.key for ep in run.build_mix(TARGETS)}  # no writers, no row

    class SignIn:
        port = 0

    bench = run.Bench(run.parse_args([]), SignIn(), "runner-token", Path("/tmp"))
    bench.writer_tokens = {"ann": "t-ann", "bob": "t-bob"}  # as sign_in() left them
    variants = bench.variants(many)
    assert [v["headers"]["Authorization"] for v in variants] == ["Bearer t-ann", "Bearer t-bob"]
    assert [v["body"] for v in variants] == [w["body"] for w in many.writers]
    assert bench.variants(mix["log_create"]) is None


def test_only_filters_by_key_or_name_but_keeps_the_floors():
    mix = [ep.key for ep in run.build_mix(TARGETS) if run.selected(ep, ["leaderboard"])]
    assert mix == ["floor_json", "floor_select", "leaderboard_week", "leaderboard_month", "leaderboard_year",
                   "leaderboard_all"]


def test_lua_values_are_escaped():
    assert run.lua_value({"a": ['x"y\\z', 1, None, True]}) == '{["a"] = {"x\\034y\\092z", 1, nil, true}}'
    assert run.lua_value("é") == '"\\195\\169"'


def result(key, kind, rps, p99=10.0, errors=0):
    return run.Result(key, key, kind, "GET", "/", rps=rps, p50_ms=1.0, p99_ms=p99, errors=errors)


def test_score_judges_floor_share_growth_p99_and_errors():
    small = [result("floor_select", "floor", 1000), result("user_get", "one_row", 500),
             result("feed_all", "heavy", 200)]
    large = [result("floor_select", "floor", 1000), result("user_get", "one_row", 390),
             result("feed_all", "heavy", 170, p99=120.0), result("team_search", "one_row", 900, errors=3)]
    run.score(large, small)
    by_key = {r.key: r for r in large}
    assert by_key["user_get"].floor_pct == pytest.approx(39.0)
    assert by_key["user_get"].growth == pytest.approx(0.78)
    assert by_key["user_get"].verdict == "✗ floor<40%, growth<0.80"
    assert by_key["feed_all"].verdict == "✗ p99≥100ms"
    assert by_key["team_search"].verdict.startswith("✗ errors")
    assert by_key["floor_select"].verdict == ""
    run.score(small, None)
    assert {r.key: r.verdict for r in small}["feed_all"] == "✓"


def test_seed_fingerprint_depends_on_the_scale():
    assert run.seed_fingerprint("small") != run.seed_fingerprint("large")
    assert run.seed_fingerprint("small") == run.seed_fingerprint("small")
