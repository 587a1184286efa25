from datetime import date, timedelta

import factory

from logs.models import ExerciseType, Log
from users.tests.factories import UserFactory


class LogFactory(factory.django.DjangoModelFactory):
    """A log whose miles and pace are derived by `Log.set_distance`, as every write path does."""

    class Meta:
        model = Log
        exclude = ("minutes",)

    user = factory.SubFactory(UserFactory)
    first = factory.LazyAttribute(lambda log: log.user.first)
    last = factory.LazyAttribute(lambda log: log.user.last)
    name = factory.Faker("street_name")
    location = factory.Faker("city")
    date = factory.Sequence(lambda n: date(2021, 1, 1) + timedelta(days=n % 365))
    # get_or_create: a transactional test before this one may have flushed the migrations' types.
    type = factory.LazyFunction(lambda: ExerciseType.objects.get_or_create(type="run")[0])
    distance = 5.0
    metric = "miles"
    minutes = 40
    time = factory.LazyAttribute(lambda log: timedelta(minutes=log.minutes))
    feel = 6
    description = factory.Faker("sentence")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        distance, metric, time = kwargs.pop("distance"), kwargs.pop("metric"), kwargs.pop("time")
        log = model_class(*args, **kwargs)
        log.set_distance(distance, metric, time)
        log.save()
        return log
