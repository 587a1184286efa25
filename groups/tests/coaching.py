"""Two coaches, each running their own group, for the admin tests of every app."""

from dataclasses import dataclass

from django.test import Client

from groups.models import Group
from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs.tests.factories import LogFactory
from users.models import User
from users.tests.factories import UserFactory


@dataclass
class Squad:
    group: Group
    coach: User
    runner: User
    pending: User
    client: Client


def squad(name: str) -> Squad:
    group = GroupFactory(group_name=name, group_title=f"{name.title()} Group")
    coach = UserFactory(username=f"{name}coach", is_staff=True)
    runner = UserFactory(username=f"{name}runner")
    pending = UserFactory(username=f"{name}newbie")
    GroupMemberFactory(group=group, user=coach, status="accepted", role="admin")
    GroupMemberFactory(group=group, user=runner, status="accepted", role="user")
    GroupMemberFactory(group=group, user=pending, status="pending", role="user")
    LogFactory(user=runner, name=f"{name} tempo", type_id="run")
    LogFactory(user=runner, name=f"{name} spin", type_id="bike", distance=20.0)
    LogFactory(user=pending, name=f"{name} secret")  # not accepted yet: the coach must not see it
    client = Client()
    client.force_login(coach)
    return Squad(group, coach, runner, pending, client)


def superuser_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client
