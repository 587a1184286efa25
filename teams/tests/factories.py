import factory

from groups.tests.factories import GroupFactory
from teams.models import Team, TeamGroup, TeamMember
from users.tests.factories import UserFactory


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"team{n}")
    title = factory.LazyAttribute(lambda t: f"Team {t.name.title()}")


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    status = "accepted"
    role = "user"


class TeamGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamGroup

    team = factory.SubFactory(TeamFactory)
    group = factory.SubFactory(GroupFactory)
