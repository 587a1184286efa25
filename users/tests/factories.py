from datetime import timedelta

import factory
from django.utils import timezone

from users.models import ActivationCode, Flair, ForgotPasswordCode, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"runner{n}")
    first = factory.Faker("first_name")
    last = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    member_since = factory.LazyFunction(lambda: timezone.now().date())
    activation_code = "abc123"
    week_start = "monday"
    password = factory.django.Password(PASSWORD)


class FlairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flair

    user = factory.SubFactory(UserFactory)
    flair = factory.Faker("sentence", nb_words=3)


class ActivationCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivationCode

    activation_code = factory.Sequence(lambda n: f"code{n:04d}")
    email = factory.Sequence(lambda n: f"newbie{n}@example.com")
    group = None
    expiration_date = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class ForgotPasswordCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForgotPasswordCode

    forgot_code = factory.Sequence(lambda n: f"fp{n:06d}")
    user = factory.SubFactory(UserFactory)
    expires = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=2))
