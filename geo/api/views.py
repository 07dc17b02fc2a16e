from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import allow
from accounts.roles import ALL_ROLES, Role
from geo.api.serializers import BoundaryImportRequestSerializer, BoundaryImportSerializer, PostcodeSerializer
from geo.layers import Layer, locality_feature, locality_layer
from geo.models import BoundaryImport
from geo.selectors import geocode
from geo.services import boundary_import_request

GEOJSON = "application/geo+json"


def _properties(request) -> list[str]:
    raw = request.query_params.get("properties", "")
    return [name.strip() for name in raw.split(",") if name.strip()]


def _answer(request, layer: Layer) -> HttpResponse:
    # Map data is per signed-in user: private caches may keep it but must ask again (ETag) before reuse.
    headers = {"ETag": layer.etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
    tags = [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]
    if layer.etag in tags or "*" in tags:
        return HttpResponse(status=304, headers=headers)
    return HttpResponse(layer.body, content_type=GEOJSON, headers=headers)


LAYER_PARAMETERS = [
    OpenApiParameter("kind", str, description="country, region, county, district, ward, cluster, lot_area, custom"),
    OpenApiParameter("parent", str, description="Code of the parent locality, e.g. E10000003"),
    OpenApiParameter("properties", str, description="Extra properties added by other apps, comma-separated"),
]


class LocalityLayerView(APIView):
    """Localities as a GeoJSON FeatureCollection (display geometry), e.g. ?kind=district&parent=E10000003."""

    permission_classes = [allow(read=ALL_ROLES)]

    @extend_schema(operation_id="geo_locality_layer", parameters=LAYER_PARAMETERS, responses={(200, GEOJSON): dict})
    def get(self, request):
        layer = locality_layer(
            kind=request.query_params.get("kind") or None,
            parent_code=request.query_params.get("parent") or None,
            properties=_properties(request),
        )
        return _answer(request, layer)


class LocalityDetailView(APIView):
    """One locality as a GeoJSON Feature, with its members (for lot areas and clusters)."""

    permission_classes = [allow(read=ALL_ROLES)]

    @extend_schema(
        operation_id="geo_locality_detail", parameters=LAYER_PARAMETERS[2:], responses={(200, GEOJSON): dict}
    )
    def get(self, request, code: str):
        return _answer(request, locality_feature(code=code, properties=_properties(request)))


class PostcodeView(APIView):
    """Where a postcode is (from the postcode directory); unknown or terminated postcodes are a 400."""

    permission_classes = [allow(read=ALL_ROLES)]

    @extend_schema(responses=PostcodeSerializer)
    def get(self, request, postcode: str):
        return Response(PostcodeSerializer(geocode(postcode)).data)


class BoundaryImportListView(generics.ListAPIView):
    """Administrators upload a boundary file; it is imported by a background task (poll the detail)."""

    permission_classes = [allow(read={Role.ADMINISTRATOR}, write={Role.ADMINISTRATOR})]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = BoundaryImportSerializer
    filter_backends: list = []

    def get_queryset(self):
        return BoundaryImport.objects.order_by("-created_at")

    @extend_schema(request=BoundaryImportRequestSerializer, responses={202: BoundaryImportSerializer})
    def post(self, request):
        incoming = BoundaryImportRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        record = boundary_import_request(**incoming.validated_data, by=request.user)
        return Response(BoundaryImportSerializer(record).data, status=status.HTTP_202_ACCEPTED)


class BoundaryImportDetailView(APIView):
    permission_classes = [allow(read={Role.ADMINISTRATOR})]

    @extend_schema(responses=BoundaryImportSerializer)
    def get(self, request, pk: int):
        return Response(BoundaryImportSerializer(get_object_or_404(BoundaryImport, pk=pk)).data)
