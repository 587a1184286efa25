from django.db import migrations

# The exercise types of the original's `types` table.
TYPES = [
    "run", "bike", "swim", "other", "core", "strength", "weights", "yoga", "walk", "hike", "virtual bike",
    "kayak", "canoe", "row", "stand up paddle", "alpine ski", "backcountry ski", "nordic ski", "snowboard",
    "snowshoe", "ice skate", "roller ski", "inline skate",
]


def add_types(apps, schema_editor):
    ExerciseType = apps.get_model("logs", "ExerciseType")
    existing = set(ExerciseType.objects.values_list("type", flat=True))
    ExerciseType.objects.bulk_create([ExerciseType(type=t) for t in TYPES if t not in existing])


class Migration(migrations.Migration):
    dependencies = [("logs", "0002_initial")]
    operations = [migrations.RunPython(add_types, migrations.RunPython.noop)]
