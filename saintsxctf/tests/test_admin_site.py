"""Every model's admin pages render for a superuser, with data in them (list views, filters, search, forms)."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from comments.tests.factories import CommentFactory
from groups.tests.factories import GroupMemberFactory
from notifications.tests.factories import NotificationFactory
from teams.models import Team, TeamGroup, TeamMember
from users.tests.factories import ActivationCodeFactory, FlairFactory, ForgotPasswordCodeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_with_data():
    member = GroupMemberFactory(role="admin")
    CommentFactory()
    NotificationFactory()
    FlairFactory()
    ActivationCodeFactory(group=member.group)
    ForgotPasswordCodeFactory()
    team = Team.objects.create(name="saints", title="Saints")
    TeamMember.objects.create(team=team, user=member.user, status="accepted")
    TeamGroup.objects.create(team=team, group=member.group)
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


PROJECT_APPS = {"users", "logs", "groups", "teams", "comments", "notifications"}


@pytest.mark.parametrize("model", [m for m in admin.site._registry if m._meta.app_label in PROJECT_APPS],
                         ids=lambda m: m._meta.label)
def test_admin_pages_render(client_with_data, model):
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    changelist = client_with_data.get(reverse(f"{prefix}_changelist"), {"q": "a"})
    assert changelist.status_code == 200
    assert client_with_data.get(reverse(f"{prefix}_changelist")).status_code == 200
    assert client_with_data.get(reverse(f"{prefix}_add")).status_code == 200
    obj = model._base_manager.first()
    if obj is not None:
        assert client_with_data.get(reverse(f"{prefix}_change", args=[obj.pk])).status_code == 200
