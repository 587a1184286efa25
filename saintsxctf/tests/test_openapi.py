import pytest
import yaml
from django.urls import reverse
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3(api_client):
    resp = api_client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert resp.status_code == 200
    schema = resp.json() if resp["Content-Type"].startswith("application/vnd.oai.openapi+json") \
        else yaml.safe_load(resp.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    assert "/v2/users/{username}" in schema["paths"]


@pytest.mark.parametrize("name", ["docs", "redoc"])
def test_docs_pages_use_bundled_assets(api_client, name):
    resp = api_client.get(reverse(name))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn.jsdelivr.net" not in html
