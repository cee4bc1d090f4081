"""Token authentication for the API: a request carries a token in ``OSDI-API-Token``
(OSDI's and Action Network's header), ``OSDI-Token`` or ``Authorization: Token …``;
``request.user`` becomes the owner narrowed to the token's scope
(``selectors.token_user``) and ``request.auth`` the token."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import selectors, services
from .tokens import secret_from_request


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        secret = secret_from_request(request._request)
        if not secret:
            return None
        token = services.authenticate_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("That API token is not valid."))
        return selectors.token_user(token), token

    def authenticate_header(self, request) -> str:
        return 'Token realm="api"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "OSDIToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "OSDI-API-Token",
            "description": "An API token from /staff/api-tokens/ (also accepted as "
            "OSDI-Token or Authorization: Token <token>).",
        }
