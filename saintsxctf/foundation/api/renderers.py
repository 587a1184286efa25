"""JSON rendering with one HTTP rule the contract's tables gloss over."""

from rest_framework.renderers import JSONRenderer


class ContractJSONRenderer(JSONRenderer):
    """JSON, except that a 204 goes out without a body.

    responses.md lists `{"self", "deleted"}` for deletes, but the original (Werkzeug) never sent a body
    with a 204 and HTTP forbids one: bytes after a 204 corrupt a kept-alive connection. The envelope stays
    on `response.data` (tests and logs see it); only the wire body is empty.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code == 204:
            return b""
        return super().render(data, accepted_media_type, renderer_context)
