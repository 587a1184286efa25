"""The POST endpoints read their body as the original's `get_json(silent=True)` (issue 18 item 7).

Only a missing body, JSON null, unparseable JSON or a body that is not JSON is "the request body isn't
populated"; `{}` (or any other JSON value) goes on to the endpoint's next check, in the original's order.
"""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

EMPTY = "the request body isn't populated"
# Each POST endpoint: its envelope keys and what the original answered for a JSON body without fields.
ENDPOINTS = {
    "activation_code:activation_code-list": (
        {"added": False}, {"added": False, "log": None}, "'group_id' and 'email' are required fields", EMPTY),
    "comments:comment-list": (
        {"added": False, "comment": None}, {"added": False, "comment": None},
        "User andy is not authorized to create a comment for user None.", EMPTY),
    "flair:flair-list": (
        {"added": False}, {"added": False}, "User andy is not authorized to create a flair for user None.", EMPTY),
    "logs:log-list": (
        {"added": False, "log": None}, {"added": False, "log": None},
        "User andy is not authorized to upload an exercise log for user None.", EMPTY),
    "notifications:notification-list": (
        {"added": False, "notification": None}, {"added": False, "notification": None},
        "'username' and 'description' are required fields", EMPTY),
    "users:user-list": (
        {"added": False, "user": None}, {"added": False, "user": None},
        "'username', 'first', 'last', 'email', 'password', and 'activation_code' are required fields",
        "The request body isn't populated."),
}
NOT_A_BODY = {
    "missing": {},
    "JSON null": {"data": "null", "content_type": "application/json"},
    "unparseable JSON": {"data": "{\"group_id\": ", "content_type": "application/json"},
    "not JSON": {"data": "group_id=1&email=a@b.co", "content_type": "application/x-www-form-urlencoded"},
    "plain text": {"data": "hello", "content_type": "text/plain"},
}
FIELDLESS = {"{}": "{}", "[]": "[]", "a number": "5"}


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize("body", NOT_A_BODY)
def test_no_json_body_is_not_populated(auth_client, name, body):
    keys, _, _, empty = ENDPOINTS[name]
    resp = auth_client.post(reverse(name), **NOT_A_BODY[body])
    assert resp.status_code == 400
    assert resp.json() == {"self": reverse(name).rstrip("/"), **keys, "error": empty}


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize("body", FIELDLESS)
def test_json_without_fields_gets_the_next_check(auth_client, name, body):
    _, keys, message, _ = ENDPOINTS[name]
    resp = auth_client.post(reverse(name), data=FIELDLESS[body], content_type="application/json")
    assert resp.status_code == 400
    answer = resp.json()
    # The fields a "required fields" message names are each named in `errors`; a refusal names none.
    assert set(answer.pop("errors", {})) - {"non_field_errors"} == set(re.findall(r"'(\w+)'", message))
    assert answer == {"self": reverse(name).rstrip("/"), **keys, "error": message}
