"""Fixtures of the functions' tests: a private media folder, images made by Pillow, a group andy administers."""

import io

import pytest
from PIL import Image

from groups.tests.factories import GroupFactory, GroupMemberFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Pictures are stored in a folder of this test only."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path / "media"


def image_bytes(fmt: str = "PNG", size=(16, 12), color=(153, 0, 0)) -> bytes:
    """A small real image in `fmt` (JPEG, PNG, GIF, WEBP)."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def group(user):
    """A group andy administers."""
    group = GroupFactory(group_name="alumni")
    GroupMemberFactory(group=group, user=user, status="accepted", role="admin")
    return group
