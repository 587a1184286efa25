import factory

from comments.models import Comment
from logs.tests.factories import LogFactory
from users.tests.factories import UserFactory


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    user = factory.SubFactory(UserFactory)
    first = factory.LazyAttribute(lambda c: c.user.first)
    last = factory.LazyAttribute(lambda c: c.user.last)
    log = factory.SubFactory(LogFactory)
    content = factory.Faker("sentence")
