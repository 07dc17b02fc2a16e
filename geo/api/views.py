from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import allow
from core.query import KnownQueryParameters, query_parse
from geo import capabilities as caps
from geo.api.serializers import (
    BoundaryImportRequestSerializer,
    BoundaryImportSerializer,
    LayerPropertiesQuerySerializer,
    LocalityLayerQuerySerializer,
    NoQuerySerializer,
    PostcodeSerializer,
)
from geo.layers import Layer, locality_feature, locality_layer
from geo.selectors import POSTCODE_INPUT_PATTERN, boundary_imports_recent, geocode
from geo.services import boundary_import_request

GEOJSON = "application/geo+json"


def _answer(request, layer: Layer) -> HttpResponse:
    # Map data is per signed-in user: private caches may keep it but must ask again (ETag) before reuse.
    headers = {"ETag": layer.etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
    tags = [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]
    if layer.etag in tags or "*" in tags:
        return HttpResponse(status=304, headers=headers)
    return HttpResponse(layer.body, content_type=GEOJSON, headers=headers)


class LocalityLayerView(APIView):
    """Localities as a GeoJSON FeatureCollection (display geometry), e.g. ?kind=district&parent=E10000003."""

    permission_classes = [allow(read=caps.READ_PLACES)]

    @extend_schema(
        operation_id="geo_locality_layer",
        parameters=[LocalityLayerQuerySerializer],
        responses={(200, GEOJSON): dict},
    )
    def get(self, request):
        query = query_parse(request, LocalityLayerQuerySerializer)
        layer = locality_layer(
            kind=query.get("kind"), parent=query.get("parent"), properties=query.get("properties", [])
        )
        return _answer(request, layer)


class LocalityDetailView(APIView):
    """One locality as a GeoJSON Feature, with its members (for lot areas and clusters)."""

    permission_classes = [allow(read=caps.READ_PLACES)]

    @extend_schema(
        operation_id="geo_locality_detail",
        parameters=[LayerPropertiesQuerySerializer],
        responses={(200, GEOJSON): dict},
    )
    def get(self, request, code: str):
        query = query_parse(request, LayerPropertiesQuerySerializer)
        return _answer(request, locality_feature(code=code, properties=query.get("properties", [])))


class PostcodeView(APIView):
    """Where a postcode is (from the postcode directory); unknown or terminated postcodes are a 400."""

    permission_classes = [allow(read=caps.READ_PLACES)]

    @extend_schema(
        responses=PostcodeSerializer,
        parameters=[OpenApiParameter("postcode", str, OpenApiParameter.PATH, pattern=POSTCODE_INPUT_PATTERN)],
    )
    def get(self, request, postcode: str):
        query_parse(request, NoQuerySerializer)
        return Response(PostcodeSerializer(geocode(postcode)).data)


class BoundaryImportListView(generics.ListAPIView):
    """Administrators upload a boundary file; it is imported by a background task (poll the detail)."""

    permission_classes = [allow(read=caps.MANAGE_BOUNDARIES, write=caps.MANAGE_BOUNDARIES)]
    parser_classes = [MultiPartParser]
    serializer_class = BoundaryImportSerializer
    filter_backends = [KnownQueryParameters]  # only the pagination parameters

    def get_queryset(self):
        return boundary_imports_recent()

    @extend_schema(request=BoundaryImportRequestSerializer, responses={202: BoundaryImportSerializer})
    def post(self, request):
        incoming = BoundaryImportRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        record = boundary_import_request(**incoming.validated_data, by=request.user)
        return Response(BoundaryImportSerializer(record).data, status=status.HTTP_202_ACCEPTED)


class BoundaryImportDetailView(APIView):
    permission_classes = [allow(read=caps.MANAGE_BOUNDARIES)]

    @extend_schema(responses=BoundaryImportSerializer)
    def get(self, request, pk: int):
        query_parse(request, NoQuerySerializer)
        return Response(BoundaryImportSerializer(get_object_or_404(boundary_imports_recent(), pk=pk)).data)
