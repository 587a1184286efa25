"""Read serializers that build their fields once per class instead of once per instance.

DRF builds a serializer's fields every time one is instantiated (`ModelSerializer.get_fields()` introspects the
model for each field): on a one-row read that costs more than the row's query. A read serializer's fields
depend only on its class, so `ReadSerializer`/`ReadModelSerializer` build them once, on a prototype instance,
and render every object with those. The representation is DRF's own (`Serializer.to_representation`'s loop,
field for field, with plain attribute paths walked without DRF's per-step checks); `fields` (the schema,
validation) is untouched.

Only for read serializers whose fields never look at `context` (no hyperlinked fields, no method fields that
read the request): the shared fields are bound to the prototype, whose context is empty.
"""

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import HyperlinkedRelatedField, PKOnlyObject


def _plain_path(field) -> tuple | None:
    """The attribute names a field reads, when it reads them with DRF's plain `Field.get_attribute`; else None."""
    if isinstance(field, serializers.BaseSerializer) or type(field).get_attribute is not serializers.Field.get_attribute:
        return None
    return tuple(field.source_attrs)


def _read(instance, path: tuple):
    """Walk `path` the way `rest_framework.fields.get_attribute` does, or raise LookupError where DRF would do
    more than walk (a callable to call, a missing key or attribute, a missing related row)."""
    for attr in path:
        try:
            instance = instance[attr] if type(instance) is dict else getattr(instance, attr)
        except (KeyError, AttributeError, ObjectDoesNotExist) as exc:
            raise LookupError(attr) from exc
        if callable(instance):
            raise LookupError(attr)
    return instance


class FrozenFieldsMixin:
    """Renders with fields built once per class (see the module docstring)."""

    # What a field renders instead of null, where a client cannot take a null (the iOS app crashes on null
    # in fields it force-reads: contract other-clients.md 5.3, 5.4). Storage keeps the null.
    null_defaults: dict = {}

    @classmethod
    def readable_fields(cls) -> tuple:
        """(name, field, plain path or None, field.to_representation) of every readable field, built on first
        use and shared by every instance of `cls`."""
        frozen = cls.__dict__.get("_frozen_readable_fields")
        if frozen is None:
            prototype = cls()
            frozen = tuple((field.field_name, field, _plain_path(field), field.to_representation)
                           for field in prototype._readable_fields)
            for name, field, _, _ in frozen:
                if isinstance(field, HyperlinkedRelatedField):
                    raise TypeError(f"{cls.__name__}.{name} needs the request: it cannot be shared")
            cls._frozen_readable_fields = frozen
        return frozen

    def to_representation(self, instance):
        ret = {}
        nulls = self.null_defaults
        for name, field, path, represent in self.readable_fields():
            # A plain attribute or key path is walked here (most fields, most rows); anything else, and any
            # path that meets a callable or a missing value, goes through the field's own get_attribute().
            try:
                if path is None:
                    raise LookupError(name)
                attribute = _read(instance, path)
            except LookupError:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                if isinstance(attribute, PKOnlyObject) and attribute.pk is None:
                    attribute = None
            ret[name] = nulls.get(name) if attribute is None else represent(attribute)
        return ret


class ReadSerializer(FrozenFieldsMixin, serializers.Serializer):
    """A read-only `Serializer` whose fields are built once per class."""


class ReadModelSerializer(FrozenFieldsMixin, serializers.ModelSerializer):
    """A read-only `ModelSerializer` whose fields are built once per class."""
