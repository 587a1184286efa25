"""How the /fn functions read a token: the raw JWT, as the clients send it there."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from saintsxctf.foundation.auth.authentication import BearerTokenAuthentication


class FunctionTokenAuthentication(BearerTokenAuthentication):
    """`Authorization: <jwt>` (the web client and the iOS app send the bare token to /fn), or `Bearer <jwt>`.

    As on /v2, a bad header does not raise here: the view refuses the anonymous caller, 401 without a header and
    403 with one (an empty `authorization:` included, which the web client sends when signed out).
    """

    def get_raw_token(self, header: bytes):
        parts = header.split()
        if len(parts) == 1 and parts[0].count(b".") == 2:
            return parts[0]
        return super().get_raw_token(header)


class FunctionTokenScheme(OpenApiAuthenticationExtension):
    """Documents FunctionTokenAuthentication in the OpenAPI schema: the JWT itself in `Authorization`."""

    target_class = FunctionTokenAuthentication
    name = "functionToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "The JWT of POST /auth/token as it is (`Bearer <jwt>` works too)."}
