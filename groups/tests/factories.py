import factory

from groups.models import Group, GroupMember
from users.tests.factories import UserFactory


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    group_name = factory.Sequence(lambda n: f"group{n}")
    group_title = factory.LazyAttribute(lambda g: g.group_name.title())
    description = factory.Faker("sentence")
    week_start = "sunday"


class GroupMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMember

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    status = "accepted"
    role = "user"
