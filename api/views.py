"""The OSDI API's endpoints (``<Entity><Action>Api``): thin, each reads through one
selector or calls one service, and answers HAL+JSON. Every error is OSDI's error
document (``osdi_exception_handler``); nothing a client sends makes a 500."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from advocacy.models import AdvocacyCampaign
from legislators.models import Legislator
from petitions.selectors import signature_counts
from petitions.services import PetitionClosedError

from . import hal, selectors, services
from . import serializers as s
from .authentication import TokenAuthentication
from .pagination import PAGE_PARAMETERS, max_per_page, page_links, paginate

logger = logging.getLogger(__name__)

# The largest primary key the databases hold: a larger one in a URL is a 404, not an
# integer overflow.
MAX_PK = 2**63 - 1


class HalJSONRenderer(JSONRenderer):
    media_type = "application/hal+json"


class HalJSONParser(JSONParser):
    media_type = "application/hal+json"


def _flatten(detail) -> list[tuple[str, str]]:
    """(field path, message) pairs of a DRF error detail, nested fields joined by '.'."""
    if isinstance(detail, dict):
        return [
            (f"{key}.{path}" if path else str(key), message)
            for key, value in detail.items()
            for path, message in _flatten(value)
        ]
    if isinstance(detail, list):
        return [pair for item in detail for pair in _flatten(item)]
    return [("", str(detail))]


def osdi_exception_handler(exc, context):
    """DRF's handler, with OSDI's error document as the body."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.messages)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        pairs = _flatten(exc.detail)
        code = exc.default_code
    else:  # Http404, Django's PermissionDenied
        pairs = [("", str(response.data.get("detail", "")))]
        code = "not_found" if response.status_code == 404 else "permission_denied"
    description = "; ".join(f"{path}: {msg}" if path else msg for path, msg in pairs)
    body = hal.error_document(response.status_code, description, code=code)
    body["resource_status"][0]["errors"] = [
        {"code": code, "description": msg, **({"field": path} if path else {})}
        for path, msg in pairs
    ]
    response.data = body
    return response


ERRORS = {
    400: OpenApiResponse(
        s.ErrorSerializer, description="A bad request: nothing changed."
    ),
    401: OpenApiResponse(
        s.ErrorSerializer, description="No token, or not a valid one."
    ),
    403: OpenApiResponse(s.ErrorSerializer, description="The token may not do this."),
    404: OpenApiResponse(
        s.ErrorSerializer, description="No such resource in this token's scope."
    ),
}


class OsdiApi(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [HalJSONRenderer, JSONRenderer]
    parser_classes = [JSONParser, HalJSONParser]
    throttle_classes: list = []

    def get_exception_handler(self):
        return osdi_exception_handler

    @property
    def token(self):
        return self.request.auth

    def context(self, **extra) -> dict:
        return {"request": self.request, **extra}

    @staticmethod
    def get_row(queryset, pk: int):
        if not 0 < pk <= MAX_PK:
            raise Http404
        row = queryset.filter(pk=pk).first()
        if row is None:
            raise Http404
        return row

    def collection(self, queryset, *, rel: str, serializer, context=None) -> Response:
        """One OSDI page of ``queryset``: page fields, links, the embedded resources.
        ``context`` is a function of the page's rows giving extra serializer context
        (one query for the whole page, never one per row)."""
        page = paginate(self.request, queryset)
        extra = context(page.rows) if context else {}
        items = serializer(page.rows, many=True, context=self.context(**extra)).data
        links = page_links(self.request, page)
        links[rel] = [item["_links"]["self"] for item in items]
        links["curies"] = hal.curies()
        return Response(
            {
                "total_pages": page.total_pages,
                "per_page": page.per_page,
                "page": page.number,
                "total_records": page.total_records,
                "_links": links,
                "_embedded": {rel: items},
            }
        )


def collection_schema(name: str, rel: str, item) -> serializers.Serializer:
    return inline_serializer(
        name=name,
        fields={
            "total_pages": serializers.IntegerField(),
            "per_page": serializers.IntegerField(),
            "page": serializers.IntegerField(),
            "total_records": serializers.IntegerField(),
            "_links": inline_serializer(
                name=f"{name}Links",
                fields={
                    "self": s.LinkSerializer(),
                    "next": s.LinkSerializer(required=False),
                    "previous": s.LinkSerializer(required=False),
                    rel: s.LinkSerializer(many=True),
                    "curies": s.CurieSerializer(many=True),
                },
            ),
            "_embedded": inline_serializer(
                name=f"{name}Embedded", fields={rel: item(many=True)}
            ),
        },
    )


def list_schema(name: str, rel: str, item, **kwargs):
    return extend_schema(
        operation_id="list_" + rel.removeprefix("osdi:"),
        parameters=PAGE_PARAMETERS,
        responses={200: collection_schema(name, rel, item), **ERRORS},
        **kwargs,
    )


def detail_schema(item, **kwargs):
    resource = item.__name__.removesuffix("Serializer")
    return extend_schema(
        operation_id=f"get_{resource}", responses={200: item, **ERRORS}, **kwargs
    )


ACCEPTED = OpenApiResponse(
    s.AcceptedSerializer,
    description="Recorded; the person is outside this token's chapter, so nothing of "
    "them is shown.",
)


def accepted() -> Response:
    return Response(
        {"response_code": 202, "message": _("Recorded.")},
        status=status.HTTP_202_ACCEPTED,
    )


# --- the entry point ------------------------------------------------------------------

AEP_RELS = {
    "osdi:people": ("people", "The collection of people in the system"),
    "osdi:tags": ("tags", "The collection of tags in the system"),
    "osdi:petitions": ("petitions", "The collection of petitions in the system"),
    "osdi:advocacy_campaigns": (
        "advocacy_campaigns",
        "The collection of advocacy campaigns in the system",
    ),
    "osdi:messages": ("messages", "The collection of messages in the system"),
    "osdi:person_signup_helper": ("people", "The person signup helper"),
}


class EntryPointApi(OsdiApi):
    @extend_schema(
        responses={
            200: inline_serializer(
                name="EntryPoint",
                fields={
                    "motd": serializers.CharField(),
                    "vendor_name": serializers.CharField(),
                    "product_name": serializers.CharField(),
                    "osdi_version": serializers.CharField(),
                    "max_pagesize": serializers.IntegerField(),
                    "namespace": serializers.CharField(),
                    "_links": s.links_schema("EntryPointLinks", "docs", *AEP_RELS),
                },
            ),
            401: ERRORS[401],
        },
        summary="The API entry point",
    )
    def get(self, request):
        links = {
            "self": hal.link(request, "aep", "This API entry point"),
            "curies": hal.curies(),
            "docs": {
                "href": hal.url(request, "openapi"),
                "title": "The OpenAPI description of this API",
            },
        }
        for rel, (name, title) in AEP_RELS.items():
            links[rel] = hal.link(request, name, title)
        scope = self.token.chapter.name if self.token.chapter_id else _("every chapter")
        return Response(
            {
                "motd": _("Welcome to Harbor's OSDI API. This token sees %(scope)s.")
                % {"scope": scope},
                "vendor_name": "Harbor",
                "product_name": "Harbor",
                "osdi_version": "1.2",
                "max_pagesize": max_per_page(),
                "namespace": hal.NAMESPACE,
                "_links": links,
            }
        )


# --- people ---------------------------------------------------------------------------


class PersonListApi(OsdiApi):
    @list_schema(
        "PersonCollection", "osdi:people", s.PersonSerializer, summary="People"
    )
    def get(self, request):
        people = selectors.people_for(request.user)
        return self.collection(people, rel="osdi:people", serializer=s.PersonSerializer)

    @extend_schema(
        request=s.PersonSignupIn,
        responses={
            200: s.PersonSerializer,
            201: s.PersonSerializer,
            202: ACCEPTED,
            **ERRORS,
        },
        summary="The person signup helper",
    )
    def post(self, request):
        data = s.PersonSignupIn(data=request.data)
        data.is_valid(raise_exception=True)
        supporter, created = services.signup_person(
            token=self.token,
            person=data.validated_data["person"],
            tags=data.validated_data.get("add_tags", []),
        )
        if supporter.pk not in selectors.visible_supporter_ids(
            request.user, [supporter.pk]
        ):
            return accepted()
        supporter.refresh_from_db()
        return Response(
            s.PersonSerializer(supporter, context=self.context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PersonDetailApi(OsdiApi):
    @detail_schema(s.PersonSerializer, summary="A person")
    def get(self, request, pk: int):
        person = self.get_row(selectors.people_for(request.user), pk)
        return Response(s.PersonSerializer(person, context=self.context()).data)


# --- tags and taggings ----------------------------------------------------------------


class TagListApi(OsdiApi):
    @list_schema("TagCollection", "osdi:tags", s.TagSerializer, summary="Tags")
    def get(self, request):
        return self.collection(
            selectors.tags(), rel="osdi:tags", serializer=s.TagSerializer
        )


class TagDetailApi(OsdiApi):
    @detail_schema(s.TagSerializer, summary="A tag")
    def get(self, request, pk: int):
        tag = self.get_row(selectors.tags(), pk)
        return Response(s.TagSerializer(tag, context=self.context()).data)


class TaggingListApi(OsdiApi):
    @list_schema(
        "TaggingCollection",
        "osdi:taggings",
        s.TaggingSerializer,
        summary="A tag's taggings",
    )
    def get(self, request, pk: int):
        tag = self.get_row(selectors.tags(), pk)
        taggings = selectors.taggings_for(request.user, tag=tag)
        return self.collection(
            taggings, rel="osdi:taggings", serializer=s.TaggingSerializer
        )


class TaggingDetailApi(OsdiApi):
    @detail_schema(s.TaggingSerializer, summary="A tagging")
    def get(self, request, tag_pk: int, pk: int):
        tag = self.get_row(selectors.tags(), tag_pk)
        tagging = self.get_row(selectors.taggings_for(request.user, tag=tag), pk)
        return Response(s.TaggingSerializer(tagging, context=self.context()).data)


# --- petitions and signatures ---------------------------------------------------------


def _counts(rows) -> dict:
    return {"counts": signature_counts(petition_ids=[row.pk for row in rows])}


class PetitionListApi(OsdiApi):
    @list_schema(
        "PetitionCollection",
        "osdi:petitions",
        s.PetitionSerializer,
        summary="Petitions",
    )
    def get(self, request):
        return self.collection(
            selectors.petitions_for(request.user),
            rel="osdi:petitions",
            serializer=s.PetitionSerializer,
            context=_counts,
        )


class PetitionDetailApi(OsdiApi):
    @detail_schema(s.PetitionSerializer, summary="A petition")
    def get(self, request, pk: int):
        petition = self.get_row(selectors.petitions_for(request.user), pk)
        return Response(
            s.PetitionSerializer(
                petition, context=self.context(**_counts([petition]))
            ).data
        )


class SignatureListApi(OsdiApi):
    @list_schema(
        "SignatureCollection",
        "osdi:signatures",
        s.SignatureSerializer,
        summary="A petition's signatures",
    )
    def get(self, request, pk: int):
        petition = self.get_row(selectors.petitions_for(request.user), pk)
        signatures = selectors.signatures_for(request.user, petition=petition)
        return self.collection(
            signatures, rel="osdi:signatures", serializer=s.SignatureSerializer
        )

    @extend_schema(
        request=s.SignatureIn,
        responses={
            200: s.SignatureSerializer,
            201: s.SignatureSerializer,
            202: ACCEPTED,
            **ERRORS,
        },
        summary="The record signature helper",
    )
    def post(self, request, pk: int):
        petition = self.get_row(selectors.petitions_for(request.user), pk)
        data = s.SignatureIn(data=request.data)
        data.is_valid(raise_exception=True)
        referrer = data.validated_data.get("referrer_data") or {}
        try:
            outcome = services.record_signature(
                token=self.token,
                petition=petition,
                person=data.validated_data["person"],
                comment=data.validated_data.get("comments", ""),
                referrer=referrer.get("referrer", ""),
                source=referrer.get("source", ""),
            )
        except PetitionClosedError:
            raise exceptions.ValidationError(
                _("This petition is not taking signatures.")
            ) from None
        signature = outcome.signature
        if signature is None:
            # Taken into a batch the worker is writing (or set aside): recorded, and
            # it appears in the signatures list once written.
            return accepted()
        if signature.supporter_id not in selectors.visible_supporter_ids(
            request.user, [signature.supporter_id]
        ):
            return accepted()
        return Response(
            s.SignatureSerializer(signature, context=self.context()).data,
            status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK,
        )


class SignatureDetailApi(OsdiApi):
    @detail_schema(s.SignatureSerializer, summary="A signature")
    def get(self, request, petition_pk: int, pk: int):
        petition = self.get_row(selectors.petitions_for(request.user), petition_pk)
        signature = self.get_row(
            selectors.signatures_for(request.user, petition=petition), pk
        )
        return Response(s.SignatureSerializer(signature, context=self.context()).data)


# --- advocacy campaigns and outreaches ------------------------------------------------


class AdvocacyCampaignListApi(OsdiApi):
    @list_schema(
        "AdvocacyCampaignCollection",
        "osdi:advocacy_campaigns",
        s.AdvocacyCampaignSerializer,
        summary="Advocacy campaigns (call and letter actions)",
    )
    def get(self, request):
        return self.collection(
            selectors.advocacy_campaigns_for(request.user),
            rel="osdi:advocacy_campaigns",
            serializer=s.AdvocacyCampaignSerializer,
        )


class AdvocacyCampaignDetailApi(OsdiApi):
    @detail_schema(s.AdvocacyCampaignSerializer, summary="An advocacy campaign")
    def get(self, request, pk: int):
        action = self.get_row(selectors.advocacy_campaigns_for(request.user), pk)
        return Response(
            s.AdvocacyCampaignSerializer(action, context=self.context()).data
        )


def _find_legislator(identifiers: list[str]) -> Legislator | None:
    for value in identifiers:
        source, _, key = value.partition(":")
        if not key:
            continue
        if (
            source == hal.NAMESPACE
            and key.isascii()
            and key.isdigit()
            and 0 < int(key) <= MAX_PK
        ):
            found = Legislator.objects.filter(pk=int(key)).first()
        elif source == "bioguide":
            found = Legislator.objects.filter(bioguide_id=key).first()
        elif source == "openstates":
            found = Legislator.objects.filter(openstates_id=key).first()
        else:
            continue
        if found is not None:
            return found
    return None


class OutreachListApi(OsdiApi):
    def _visible(self, rows) -> dict:
        ids = [row.supporter_id for row in rows]
        return {"visible": selectors.visible_supporter_ids(self.request.user, ids)}

    @list_schema(
        "OutreachCollection",
        "osdi:outreaches",
        s.OutreachSerializer,
        summary="An advocacy campaign's outreaches",
    )
    def get(self, request, pk: int):
        action = self.get_row(selectors.advocacy_campaigns_for(request.user), pk)
        outreaches = selectors.outreaches_for(request.user, action=action)
        return self.collection(
            outreaches,
            rel="osdi:outreaches",
            serializer=s.OutreachSerializer,
            context=self._visible,
        )

    @extend_schema(
        request=s.OutreachIn,
        responses={201: s.OutreachSerializer, 202: ACCEPTED, **ERRORS},
        summary="The record outreach helper (call actions)",
    )
    def post(self, request, pk: int):
        action = self.get_row(AdvocacyCampaign.objects.all(), pk)
        data = s.OutreachIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        legislators = []
        for index, target in enumerate(values["targets"]):
            legislator = _find_legislator(target["identifiers"])
            if legislator is None:
                raise exceptions.ValidationError(
                    {f"targets.{index}": _("No legislator has these identifiers.")}
                )
            legislators.append(legislator)
        referrer = values.get("referrer_data") or {}
        try:
            outreaches = services.record_outreach(
                token=self.token,
                action=action,
                legislators=legislators,
                outcome=values["outcome"],
                person=values.get("person"),
                idempotency_key=",".join(values.get("identifiers") or []),
                referrer=referrer.get("referrer", ""),
                source=referrer.get("source", ""),
            )
        except services.OutreachRefused as exc:
            raise exceptions.ValidationError(str(exc)) from None
        first = outreaches[0]
        visible_rows = selectors.outreaches_for(request.user, action=action).filter(
            pk=first.pk
        )
        if not visible_rows.exists():
            return accepted()
        context = self.context(**self._visible([first]))
        return Response(
            s.OutreachSerializer(first, context=context).data,
            status=status.HTTP_201_CREATED,
        )


class OutreachDetailApi(OsdiApi):
    @detail_schema(s.OutreachSerializer, summary="An outreach")
    def get(self, request, action_pk: int, pk: int):
        action = self.get_row(selectors.advocacy_campaigns_for(request.user), action_pk)
        outreach = self.get_row(
            selectors.outreaches_for(request.user, action=action), pk
        )
        context = self.context(
            visible=selectors.visible_supporter_ids(
                request.user, [outreach.supporter_id]
            )
        )
        return Response(s.OutreachSerializer(outreach, context=context).data)


# --- messages -------------------------------------------------------------------------


def _statistics(rows) -> dict:
    return {"statistics": selectors.message_statistics([row.pk for row in rows])}


class MessageListApi(OsdiApi):
    @list_schema(
        "MessageCollection",
        "osdi:messages",
        s.MessageSerializer,
        summary="Messages (action alerts)",
    )
    def get(self, request):
        return self.collection(
            selectors.messages_for(request.user),
            rel="osdi:messages",
            serializer=s.MessageSerializer,
            context=_statistics,
        )


class MessageDetailApi(OsdiApi):
    @detail_schema(
        s.MessageSerializer, summary="A message (action alert) and its statistics"
    )
    def get(self, request, pk: int):
        alert = self.get_row(selectors.messages_for(request.user), pk)
        return Response(
            s.MessageSerializer(
                alert, context=self.context(**_statistics([alert]))
            ).data
        )
