from rest_framework import serializers

from logs.models import ExerciseType


class ExerciseTypeSerializer(serializers.ModelSerializer):
    """An exercise type."""

    class Meta:
        model = ExerciseType
        fields = ["type"]
