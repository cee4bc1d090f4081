"""What the API reads and writes, as DRF serializers: the output ones give the
resources' OSDI fields and HAL links (and drf-spectacular the OpenAPI description from
them), the input ones check an OSDI request with the public forms' cleaning rules
before any service sees it. No writes here."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from advocacy.models import Outreach
from supporters.models import Supporter
from supporters.services import (
    clean_name,
    clean_public_zip,
    clean_state,
    clean_text,
    normalize_email,
    normalize_phone,
)

from . import hal
from .services import PersonIn

# --- HAL pieces -----------------------------------------------------------------------


class LinkSerializer(serializers.Serializer):
    href = serializers.URLField()
    title = serializers.CharField(required=False)


class CurieSerializer(serializers.Serializer):
    name = serializers.CharField()
    href = serializers.CharField()
    templated = serializers.BooleanField()


def links_schema(
    name: str, *rels: str, many: tuple[str, ...] = ()
) -> serializers.Serializer:
    fields = {rel: LinkSerializer(required=False) for rel in rels}
    fields.update({rel: LinkSerializer(many=True, required=False) for rel in many})
    fields["self"] = LinkSerializer()
    fields["curies"] = CurieSerializer(many=True, required=False)
    return inline_serializer(name=name, fields=fields)


class HalSerializer(serializers.Serializer):
    """Base: ``identifiers`` ("harbor:<id>"), created and modified dates, ``_links``."""

    identifiers = serializers.SerializerMethodField()
    created_date = serializers.DateTimeField(source="created_at")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_identifiers(self, obj) -> list[str]:
        return [hal.identifier(obj.pk)]

    @property
    def request(self):
        return self.context["request"]


# --- people ---------------------------------------------------------------------------


class EmailAddressSerializer(serializers.Serializer):
    primary = serializers.BooleanField()
    address = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["subscribed", "unsubscribed", "bouncing", "spam complaint"]
    )


class PostalAddressSerializer(serializers.Serializer):
    primary = serializers.BooleanField()
    address_lines = serializers.ListField(child=serializers.CharField())
    locality = serializers.CharField(allow_blank=True)
    region = serializers.CharField(allow_blank=True)
    postal_code = serializers.CharField(allow_blank=True)
    country = serializers.CharField()


class PhoneNumberSerializer(serializers.Serializer):
    primary = serializers.BooleanField()
    number = serializers.CharField()


def email_status(supporter: Supporter) -> str:
    if supporter.suppressed_at is not None:
        if supporter.suppression_reason == Supporter.SuppressionReason.BOUNCE:
            return "bouncing"
        if supporter.suppression_reason == Supporter.SuppressionReason.COMPLAINT:
            return "spam complaint"
        return "unsubscribed"
    if supporter.email_opt_in and supporter.unsubscribed_at is None:
        return "subscribed"
    return "unsubscribed"


class PersonSerializer(HalSerializer):
    modified_date = serializers.DateTimeField(source="updated_at")
    given_name = serializers.CharField(source="first_name")
    family_name = serializers.CharField(source="last_name")
    email_addresses = serializers.SerializerMethodField()
    postal_addresses = serializers.SerializerMethodField()
    phone_numbers = serializers.SerializerMethodField()
    _links = serializers.SerializerMethodField(method_name="get_links")

    @extend_schema_field(EmailAddressSerializer(many=True))
    def get_email_addresses(self, obj: Supporter) -> list[dict]:
        return [{"primary": True, "address": obj.email, "status": email_status(obj)}]

    @extend_schema_field(PostalAddressSerializer(many=True))
    def get_postal_addresses(self, obj: Supporter) -> list[dict]:
        if not (obj.street_address or obj.city or obj.state or obj.zip_code):
            return []
        return [
            {
                "primary": True,
                "address_lines": [obj.street_address] if obj.street_address else [],
                "locality": obj.city,
                "region": obj.state,
                "postal_code": obj.zip_code,
                "country": "US",
            }
        ]

    @extend_schema_field(PhoneNumberSerializer(many=True))
    def get_phone_numbers(self, obj: Supporter) -> list[dict]:
        return [{"primary": True, "number": str(obj.phone)}] if obj.phone else []

    @extend_schema_field(links_schema("PersonLinks"))
    def get_links(self, obj: Supporter) -> dict:
        return {"self": hal.link(self.request, "person", pk=obj.pk)}


# --- tags and taggings ----------------------------------------------------------------


class TagSerializer(serializers.Serializer):
    identifiers = serializers.SerializerMethodField()
    name = serializers.CharField()
    _links = serializers.SerializerMethodField(method_name="get_links")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_identifiers(self, obj) -> list[str]:
        return [hal.identifier(obj.pk)]

    @extend_schema_field(links_schema("TagLinks", "osdi:taggings"))
    def get_links(self, obj) -> dict:
        request = self.context["request"]
        return {
            "self": hal.link(request, "tag", pk=obj.pk),
            "osdi:taggings": hal.link(request, "taggings", pk=obj.pk),
        }


class TaggingSerializer(serializers.Serializer):
    identifiers = serializers.SerializerMethodField()
    _links = serializers.SerializerMethodField(method_name="get_links")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_identifiers(self, obj) -> list[str]:
        return [hal.identifier(obj.pk)]

    @extend_schema_field(links_schema("TaggingLinks", "osdi:tag", "osdi:person"))
    def get_links(self, obj) -> dict:
        request = self.context["request"]
        return {
            "self": hal.link(request, "tagging", tag_pk=obj.tag_id, pk=obj.pk),
            "osdi:tag": hal.link(request, "tag", pk=obj.tag_id),
            "osdi:person": hal.link(request, "person", pk=obj.supporter_id),
        }


# --- petitions and signatures ---------------------------------------------------------


class PetitionTargetSerializer(serializers.Serializer):
    name = serializers.CharField()


class PetitionSerializer(HalSerializer):
    modified_date = serializers.DateTimeField(source="updated_at")
    title = serializers.CharField()
    description = serializers.CharField(source="text")
    petition_text = serializers.CharField(source="text")
    status = serializers.CharField()
    target = serializers.SerializerMethodField()
    total_signatures = serializers.SerializerMethodField()
    browser_url = serializers.SerializerMethodField()
    _links = serializers.SerializerMethodField(method_name="get_links")

    @extend_schema_field(PetitionTargetSerializer(many=True))
    def get_target(self, obj) -> list[dict]:
        return [{"name": obj.target}]

    def get_total_signatures(self, obj) -> int:
        return self.context.get("counts", {}).get(obj.pk, 0)

    def get_browser_url(self, obj) -> str:
        return hal.browser_url(obj.get_absolute_url())

    @extend_schema_field(
        links_schema("PetitionLinks", "osdi:signatures", "osdi:record_signature_helper")
    )
    def get_links(self, obj) -> dict:
        return {
            "self": hal.link(self.request, "petition", pk=obj.pk),
            "osdi:signatures": hal.link(self.request, "signatures", pk=obj.pk),
            "osdi:record_signature_helper": hal.link(
                self.request, "signatures", pk=obj.pk
            ),
        }


class SignatureSerializer(HalSerializer):
    modified_date = serializers.DateTimeField(source="created_at")
    comments = serializers.CharField(source="comment")
    confirmed = serializers.SerializerMethodField()
    _links = serializers.SerializerMethodField(method_name="get_links")

    def get_confirmed(self, obj) -> bool:
        return obj.confirmed_at is not None

    @extend_schema_field(links_schema("SignatureLinks", "osdi:petition", "osdi:person"))
    def get_links(self, obj) -> dict:
        links = {
            "self": hal.link(
                self.request, "signature", petition_pk=obj.petition_id, pk=obj.pk
            ),
            "osdi:petition": hal.link(self.request, "petition", pk=obj.petition_id),
        }
        if not getattr(obj, "signer_erased", False):
            links["osdi:person"] = hal.link(self.request, "person", pk=obj.supporter_id)
        return links


# --- advocacy campaigns and outreaches ------------------------------------------------

KIND_TYPES = {"call": "phone", "letter": "email"}


class AdvocacyCampaignSerializer(HalSerializer):
    modified_date = serializers.DateTimeField(source="updated_at")
    title = serializers.SerializerMethodField()
    description = serializers.CharField(source="campaign.summary")
    type = serializers.SerializerMethodField()
    total_outreaches = serializers.IntegerField(source="outreach_count", default=0)
    browser_url = serializers.SerializerMethodField()
    _links = serializers.SerializerMethodField(method_name="get_links")

    def get_title(self, obj) -> str:
        return f"{obj.campaign.title}: {obj.get_kind_display()}"

    @extend_schema_field(serializers.ChoiceField(choices=["phone", "email"]))
    def get_type(self, obj) -> str:
        return KIND_TYPES[obj.kind]

    def get_browser_url(self, obj) -> str:
        return hal.browser_url(obj.campaign.get_absolute_url())

    @extend_schema_field(
        links_schema(
            "AdvocacyCampaignLinks", "osdi:outreaches", "osdi:record_outreach_helper"
        )
    )
    def get_links(self, obj) -> dict:
        return {
            "self": hal.link(self.request, "advocacy_campaign", pk=obj.pk),
            "osdi:outreaches": hal.link(self.request, "outreaches", pk=obj.pk),
            "osdi:record_outreach_helper": hal.link(
                self.request, "outreaches", pk=obj.pk
            ),
        }


class OutreachTargetSerializer(serializers.Serializer):
    identifiers = serializers.ListField(child=serializers.CharField())
    title = serializers.CharField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    organization = serializers.CharField()


class OutreachSerializer(HalSerializer):
    modified_date = serializers.DateTimeField(source="created_at")
    type = serializers.SerializerMethodField()
    outcome = serializers.CharField()
    status = serializers.CharField(source="delivery_status")
    targets = serializers.SerializerMethodField()
    _links = serializers.SerializerMethodField(method_name="get_links")

    @extend_schema_field(serializers.ChoiceField(choices=["phone", "email"]))
    def get_type(self, obj) -> str:
        return KIND_TYPES[obj.kind]

    @extend_schema_field(OutreachTargetSerializer(many=True))
    def get_targets(self, obj: Outreach) -> list[dict]:
        legislator = obj.legislator
        ids = [hal.identifier(legislator.pk)]
        if legislator.bioguide_id:
            ids.append(f"bioguide:{legislator.bioguide_id}")
        if legislator.openstates_id:
            ids.append(f"openstates:{legislator.openstates_id}")
        return [
            {
                "identifiers": ids,
                "title": legislator.get_chamber_display(),
                "given_name": legislator.first_name,
                "family_name": legislator.last_name,
                "organization": legislator.state,
            }
        ]

    @extend_schema_field(
        links_schema("OutreachLinks", "osdi:advocacy_campaign", "osdi:person")
    )
    def get_links(self, obj) -> dict:
        links = {
            "self": hal.link(
                self.request,
                "outreach",
                action_pk=obj.advocacy_campaign_id,
                pk=obj.pk,
            ),
            "osdi:advocacy_campaign": hal.link(
                self.request, "advocacy_campaign", pk=obj.advocacy_campaign_id
            ),
        }
        # The person only where the token may see them (an outreach is credited to a
        # chapter, its caller may belong to another).
        if obj.supporter_id and obj.supporter_id in self.context.get("visible", ()):
            links["osdi:person"] = hal.link(self.request, "person", pk=obj.supporter_id)
        return links


# --- messages (alerts) ----------------------------------------------------------------

MESSAGE_STATUS = {
    "draft": "draft",
    "awaiting_approval": "draft",
    "scheduled": "scheduled",
    "sending": "sending",
    "paused": "stopped",
    "sent": "sent",
    "cancelled": "stopped",
}


class MessageStatisticsSerializer(serializers.Serializer):
    sent = serializers.IntegerField()
    delivered = serializers.IntegerField()
    opened = serializers.IntegerField()
    clicked = serializers.IntegerField()
    actions = serializers.IntegerField()
    unsubscribed = serializers.IntegerField()
    bounced = serializers.IntegerField()
    failed = serializers.IntegerField()
    spam_reports = serializers.IntegerField()


class MessageSerializer(HalSerializer):
    modified_date = serializers.DateTimeField(source="updated_at")
    name = serializers.CharField(source="subject")
    subject = serializers.CharField()
    body = serializers.CharField()
    type = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    total_targeted = serializers.IntegerField(source="recipient_count")
    scheduled_start_date = serializers.DateTimeField(
        source="scheduled_for", allow_null=True
    )
    sent_start_date = serializers.DateTimeField(source="frozen_at", allow_null=True)
    sent_end_date = serializers.DateTimeField(source="finished_at", allow_null=True)
    statistics = serializers.SerializerMethodField()
    _links = serializers.SerializerMethodField(method_name="get_links")

    def get_type(self, obj) -> str:
        return "email"

    @extend_schema_field(
        serializers.ChoiceField(
            choices=["draft", "scheduled", "sending", "stopped", "sent"]
        )
    )
    def get_status(self, obj) -> str:
        return MESSAGE_STATUS.get(obj.status, "draft")

    @extend_schema_field(MessageStatisticsSerializer)
    def get_statistics(self, obj) -> dict:
        counts = self.context.get("statistics", {}).get(obj.pk) or {}
        return {
            "sent": counts.get("sent", 0),
            "delivered": counts.get("delivered", 0),
            "opened": counts.get("opened", 0),
            "clicked": counts.get("clicked", 0),
            "actions": counts.get("acted", 0),
            "unsubscribed": counts.get("unsubscribed", 0),
            "bounced": counts.get("bounced", 0),
            "failed": counts.get("failed", 0),
            "spam_reports": counts.get("complained", 0),
        }

    @extend_schema_field(links_schema("MessageLinks"))
    def get_links(self, obj) -> dict:
        return {"self": hal.link(self.request, "message", pk=obj.pk)}


# --- input ----------------------------------------------------------------------------


def _clean(cleaner, value: str, **kwargs) -> str:
    try:
        return cleaner(value, **kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


class EmailAddressIn(serializers.Serializer):
    address = serializers.CharField(max_length=254)
    primary = serializers.BooleanField(required=False)
    status = serializers.CharField(required=False, max_length=40)


class PostalAddressIn(serializers.Serializer):
    address_lines = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        required=False,
        max_length=5,
    )
    locality = serializers.CharField(required=False, allow_blank=True, max_length=100)
    region = serializers.CharField(required=False, allow_blank=True, max_length=40)
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    country = serializers.CharField(required=False, allow_blank=True, max_length=60)
    primary = serializers.BooleanField(required=False)


class PhoneNumberIn(serializers.Serializer):
    number = serializers.CharField(max_length=40)
    primary = serializers.BooleanField(required=False)


class PersonInSerializer(serializers.Serializer):
    """An OSDI person: the first email (required), name, first postal address and
    phone number are kept; the email's ``status`` "subscribed" is consent."""

    given_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    family_name = serializers.CharField(
        required=False, allow_blank=True, max_length=100
    )
    email_addresses = EmailAddressIn(many=True, min_length=1, max_length=5)
    postal_addresses = PostalAddressIn(many=True, required=False, max_length=5)
    phone_numbers = PhoneNumberIn(many=True, required=False, max_length=5)

    @staticmethod
    def _primary(items: list[dict]) -> dict:
        return next((i for i in items if i.get("primary")), items[0]) if items else {}

    def validate(self, attrs):
        email = self._primary(attrs["email_addresses"])
        address = self._primary(attrs.get("postal_addresses") or [])
        phone = self._primary(attrs.get("phone_numbers") or [])
        errors = {}
        person = {}
        for field, cleaner, value in (
            ("email_addresses", normalize_email, email.get("address", "")),
            ("given_name", clean_name, attrs.get("given_name", "")),
            ("family_name", clean_name, attrs.get("family_name", "")),
            (
                "street_address",
                clean_text,
                " ".join(address.get("address_lines") or []),
            ),
            ("locality", clean_name, address.get("locality", "")),
            ("region", clean_state, address.get("region", "")),
            ("postal_code", clean_public_zip, address.get("postal_code", "")),
            ("phone_numbers", normalize_phone, phone.get("number", "")),
        ):
            try:
                person[field] = _clean(cleaner, value)
            except serializers.ValidationError as exc:
                errors[field] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return PersonIn(
            email=person["email_addresses"],
            given_name=person["given_name"],
            family_name=person["family_name"],
            street_address=person["street_address"],
            locality=person["locality"],
            region=person["region"],
            postal_code=person["postal_code"],
            phone=person["phone_numbers"],
            subscribed=(email.get("status") or "").lower() == "subscribed",
        )


class ReferrerDataIn(serializers.Serializer):
    source = serializers.CharField(required=False, allow_blank=True, max_length=100)
    referrer = serializers.CharField(required=False, allow_blank=True, max_length=40)


class PersonSignupIn(serializers.Serializer):
    """Action Network's POST /people/: ``person`` and ``add_tags``."""

    person = PersonInSerializer()
    add_tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=20
    )


class SignatureIn(serializers.Serializer):
    person = PersonInSerializer()
    comments = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    referrer_data = ReferrerDataIn(required=False)

    def validate_comments(self, value):
        return _clean(clean_text, value, multiline=True)


class TargetIn(serializers.Serializer):
    """A legislator, by identifier: "harbor:<id>", "bioguide:<id>" or
    "openstates:<id>"."""

    identifiers = serializers.ListField(
        child=serializers.CharField(max_length=80), min_length=1, max_length=5
    )


class OutreachIn(serializers.Serializer):
    person = PersonInSerializer(required=False)
    identifiers = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=5
    )
    targets = TargetIn(many=True, min_length=1, max_length=10)
    outcome = serializers.ChoiceField(
        choices=Outreach.Outcome.choices,
        required=False,
        default=Outreach.Outcome.TALKED,
    )
    referrer_data = ReferrerDataIn(required=False)


class AcceptedSerializer(serializers.Serializer):
    """What a helper answers when the record it touched is outside the token's
    scope: that it was recorded, and nothing about the person."""

    response_code = serializers.IntegerField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    request_type = serializers.CharField()
    response_code = serializers.IntegerField()
    resource_status = serializers.ListField(child=serializers.DictField())
