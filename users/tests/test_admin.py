"""The coach admin for runners and activation codes."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from groups.tests.coaching import squad, superuser_client
from users.models import ActivationCode
from users.tests.factories import ActivationCodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def xc():
    return squad("xc")


@pytest.fixture
def tf():
    return squad("tf")


def test_each_coach_sees_only_the_people_in_their_groups(xc, tf):
    response = xc.client.get(reverse("admin:users_user_changelist"))

    assert response.status_code == 200
    assert {u.username for u in response.context["cl"].result_list} == {"xccoach", "xcrunner", "xcnewbie"}
    assert xc.client.get(reverse("admin:users_user_change", args=[tf.runner.pk])).status_code == 302
    page = xc.client.get(reverse("admin:users_user_change", args=[xc.runner.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]


def test_coach_creates_an_activation_code_for_their_group_and_it_is_emailed(xc):
    response = xc.client.post(reverse("admin:users_activationcode_add"),
                              {"email": "newbie@example.com", "group": xc.group.pk})

    assert response.status_code == 302
    code = ActivationCode.objects.get(email="newbie@example.com")
    assert code.group == xc.group
    assert re.fullmatch(r"[A-Z0-9]{6}", code.activation_code)
    assert code.expiration_date is not None and code.created_user == "xccoach"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newbie@example.com"]
    assert code.activation_code in message.body and "Xc Group" in message.body


def test_coach_cannot_create_a_code_for_another_group(xc, tf):
    response = xc.client.post(reverse("admin:users_activationcode_add"),
                              {"email": "sneaky@example.com", "group": tf.group.pk})

    assert response.status_code == 200  # the form again, with an error
    assert "group" in response.context["adminform"].form.errors
    assert not ActivationCode.objects.filter(email="sneaky@example.com").exists()
    assert mail.outbox == []


def test_coaches_see_only_their_groups_codes(xc, tf):
    ActivationCodeFactory(activation_code="XC0001", group=xc.group)
    ActivationCodeFactory(activation_code="TF0001", group=tf.group)

    for team, code in ((xc, "XC0001"), (tf, "TF0001")):
        response = team.client.get(reverse("admin:users_activationcode_changelist"))
        assert [c.activation_code for c in response.context["cl"].result_list] == [code]

    everything = superuser_client().get(reverse("admin:users_activationcode_changelist"))
    assert everything.context["cl"].result_count == 2


def test_superuser_only_models_are_closed_to_coaches(xc):
    for name in ("users_flair", "users_forgotpasswordcode", "comments_comment", "notifications_notification",
                 "teams_team", "teams_teammember"):
        refused = xc.client.get(reverse(f"admin:{name}_changelist"))
        assert refused.status_code == 403, name
        # The admin's own page, not the API's JSON body (a coach's browser never shows raw JSON).
        assert refused["Content-Type"].startswith("text/html") and b"coach dashboard" in refused.content
    assert superuser_client().get(reverse("admin:users_flair_changelist")).status_code == 200


def test_links_on_a_coachs_pages_lead_to_pages_they_may_open(xc):
    """A log's page links its type; a runner's page has no "Reset password" (superusers only)."""
    log = xc.runner.logs.first()
    page = xc.client.get(reverse("admin:logs_log_change", args=[log.pk]))
    type_link = reverse("admin:logs_exercisetype_change", args=[log.type_id])
    assert type_link in page.content.decode()
    assert xc.client.get(type_link).status_code == 200
    profile = xc.client.get(reverse("admin:users_user_change", args=[xc.runner.pk])).content.decode()
    assert reverse("admin:auth_user_password_change", args=[xc.runner.pk]) not in profile
    assert "/password/" not in profile
