import factory

from notifications.models import Notification
from users.tests.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    description = factory.Faker("sentence")
    link = None
    viewed = "N"
