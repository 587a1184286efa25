"""Pictures in S3 (django-storages), configured by the environment as README.md says, against moto's S3."""

import json
import os
import subprocess
import sys

import boto3
import pytest
from django.conf import settings as django_settings
from moto import mock_aws
from rest_framework.test import APIClient

from functions.tests.conftest import image_bytes

pytestmark = pytest.mark.django_db

S3_ENV = {"MEDIA_S3_BUCKET": "uasset-test", "MEDIA_S3_REGION": "us-east-1", "MEDIA_S3_ACCESS_KEY_ID": "test-key",
          "MEDIA_S3_SECRET_ACCESS_KEY": "test-secret"}


def default_storage_from_env(**env) -> dict:
    """settings.STORAGES["default"] as the settings module builds it from these variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MEDIA_")}
    result = subprocess.run(
        [sys.executable, "-c", "import json, django; from django.conf import settings; django.setup(); "
                               "print(json.dumps(settings.STORAGES['default']))"],
        cwd=django_settings.BASE_DIR, env={**clean, "DJANGO_SETTINGS_MODULE": "saintsxctf.settings", **env},
        capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_bucket_pictures_go_to_the_local_folder():
    assert default_storage_from_env() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_picture_round_trip_through_s3(auth_client, settings, media):
    storage = default_storage_from_env(**S3_ENV)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="test-key",
                          aws_secret_access_key="test-secret")
        s3.create_bucket(Bucket="uasset-test")
        settings.STORAGES = {**settings.STORAGES, "default": storage}

        body = auth_client.post("/fn/uasset/signed-url/user", {"username": "andy", "contentType": "image/webp"},
                                format="json").json()
        data = image_bytes("WEBP")
        path = "/s3/" + body["uploadUrl"].replace("https://s3.amazonaws.com/", "")
        assert APIClient().generic("PUT", path, data, content_type="image/webp").status_code == 200

        stored = s3.get_object(Bucket="uasset-test", Key=body["key"])
        assert stored["Body"].read() == data and stored["ContentType"] == "image/webp"
        assert not media.exists()  # nothing went to the local folder

        resp = APIClient().get(f"/uasset/profile/andy/{body['key'].split('/')[-1]}")
        assert resp.status_code == 200 and b"".join(resp.streaming_content) == data
        assert APIClient().get("/uasset/profile/andy/1.webp").status_code == 404
