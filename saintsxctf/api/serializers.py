"""Read serializers that build their fields once per class instead of once per instance.

DRF builds a serializer's fields every time one is instantiated (`ModelSerializer.get_fields()` introspects the
model for each field): on a one-row read that costs more than the row's query. A read serializer's fields
depend only on its class, so `ReadSerializer`/`ReadModelSerializer` build them once, on a prototype instance,
and render every object with those. The representation is DRF's own (`Serializer.to_representation`'s loop,
field for field); `fields` (the schema, validation) is untouched.

Only for read serializers whose fields never look at `context` (no hyperlinked fields, no method fields that
read the request): the shared fields are bound to the prototype, whose context is empty.
"""

from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import HyperlinkedRelatedField, PKOnlyObject


class FrozenFieldsMixin:
    """Renders with fields built once per class (see the module docstring)."""

    @classmethod
    def readable_fields(cls) -> tuple:
        """(name, field) of every readable field, built on first use and shared by every instance of `cls`."""
        frozen = cls.__dict__.get("_frozen_readable_fields")
        if frozen is None:
            prototype = cls()
            frozen = tuple((field.field_name, field) for field in prototype._readable_fields)
            for name, field in frozen:
                if isinstance(field, HyperlinkedRelatedField):
                    raise TypeError(f"{cls.__name__}.{name} needs the request: it cannot be shared")
            cls._frozen_readable_fields = frozen
        return frozen

    def to_representation(self, instance):
        ret = {}
        for name, field in self.readable_fields():
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret


class ReadSerializer(FrozenFieldsMixin, serializers.Serializer):
    """A read-only `Serializer` whose fields are built once per class."""


class ReadModelSerializer(FrozenFieldsMixin, serializers.ModelSerializer):
    """A read-only `ModelSerializer` whose fields are built once per class."""
