"""Market analysis API: the block/spot picture, cost avoidance, the quarterly utilisation review and the market
shape, each as JSON and as a CSV or XLSX table for a committee paper, and the council's settings for them.

Commissioners and contract officers write the settings; they, compliance officers and brokers read; provider
users see none of it (the figures are about every provider's beds and prices)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import allow
from core.exports import FILE_RESPONSES, FORMAT_PARAMETER, FileExportNegotiation, file_response, table_file
from core.query import query_parse
from market import capabilities as caps
from market import exports_analysis as exports
from market.api.analysis_serializers import (
    BlockSpotQuery,
    BlockSpotSerializer,
    CostAvoidanceQuery,
    CostAvoidanceSerializer,
    MarketLimitsSerializer,
    MarketShapeQuery,
    MarketShapeSerializer,
    SpotInflationSerializer,
    SpotPriceSerializer,
    UtilisationQuery,
    UtilisationReviewSerializer,
)
from market.models import SpotInflation, SpotPrice
from market.selectors.block_spot import block_spot
from market.selectors.cost_avoidance import cost_avoidance
from market.selectors.market_shape import market_limits, market_shape
from market.selectors.utilisation import utilisation_review
from market.services import analysis as services


class _NoQuery(serializers.Serializer):
    """No query parameters: any is a 400 naming it."""


PERMISSIONS = [allow(read=caps.READ_ANALYSIS, write=caps.EDIT_MARKET)]


class BlockSpotView(APIView):
    """Care home placements by kind per district on a day or over a period: block, spot, respite and emergency
    use of voids, the block share and the average weekly price of each."""

    permission_classes = PERMISSIONS

    @extend_schema(parameters=[BlockSpotQuery], responses=BlockSpotSerializer)
    def get(self, request):
        answer = block_spot(**BlockSpotQuery.arguments(query_parse(request, BlockSpotQuery)))
        return Response(BlockSpotSerializer(answer).data)


class BlockSpotExportView(FileExportNegotiation, APIView):
    permission_classes = PERMISSIONS

    @extend_schema(parameters=[BlockSpotQuery, FORMAT_PARAMETER], responses=FILE_RESPONSES)
    def get(self, request, fmt: str):
        answer = block_spot(**BlockSpotQuery.arguments(query_parse(request, BlockSpotQuery)))
        content = table_file(
            headers=exports.BLOCK_SPOT_HEADERS, rows=exports.block_spot_rows(answer), fmt=fmt, title="Block and spot"
        )
        return file_response(content, fmt=fmt, name=f"block-spot-{answer.start}-{answer.end}")


class CostAvoidanceView(APIView):
    """Cost avoidance of one block contract or of all of them, per contract year, with each component."""

    permission_classes = PERMISSIONS

    @extend_schema(parameters=[CostAvoidanceQuery], responses=CostAvoidanceSerializer)
    def get(self, request):
        answer = cost_avoidance(**CostAvoidanceQuery.arguments(query_parse(request, CostAvoidanceQuery)))
        return Response(CostAvoidanceSerializer(answer).data)


class CostAvoidanceExportView(FileExportNegotiation, APIView):
    permission_classes = PERMISSIONS

    @extend_schema(parameters=[CostAvoidanceQuery, FORMAT_PARAMETER], responses=FILE_RESPONSES)
    def get(self, request, fmt: str):
        answer = cost_avoidance(**CostAvoidanceQuery.arguments(query_parse(request, CostAvoidanceQuery)))
        content = table_file(
            headers=exports.COST_AVOIDANCE_HEADERS,
            rows=exports.cost_avoidance_rows(answer),
            fmt=fmt,
            title="Cost avoidance",
        )
        return file_response(content, fmt=fmt, name=f"cost-avoidance-{answer.through}")


class UtilisationView(APIView):
    """The quarterly review of block utilisation per contract, home or district, with the void cost."""

    permission_classes = PERMISSIONS

    @extend_schema(parameters=[UtilisationQuery], responses=UtilisationReviewSerializer)
    def get(self, request):
        answer = utilisation_review(**UtilisationQuery.arguments(query_parse(request, UtilisationQuery)))
        return Response(UtilisationReviewSerializer(answer).data)


class UtilisationExportView(FileExportNegotiation, APIView):
    """The review paper's table."""

    permission_classes = PERMISSIONS

    @extend_schema(parameters=[UtilisationQuery, FORMAT_PARAMETER], responses=FILE_RESPONSES)
    def get(self, request, fmt: str):
        answer = utilisation_review(**UtilisationQuery.arguments(query_parse(request, UtilisationQuery)))
        content = table_file(
            headers=exports.utilisation_headers(answer),
            rows=exports.utilisation_rows(answer),
            fmt=fmt,
            title=f"Utilisation {answer.year}-{(answer.year + 1) % 100:02d} Q{answer.quarter}",
        )
        name = f"block-utilisation-{answer.year}-q{answer.quarter}-by-{answer.group_by}"
        return file_response(content, fmt=fmt, name=name)


class MarketShapeView(APIView):
    """Per district and care type: providers' shares of block beds, HHI, small providers' share, beds in homes
    rated Requires improvement or Inadequate; and the settings and providers beyond the council's limits."""

    permission_classes = PERMISSIONS

    @extend_schema(parameters=[MarketShapeQuery], responses=MarketShapeSerializer)
    def get(self, request):
        answer = market_shape(**MarketShapeQuery.arguments(query_parse(request, MarketShapeQuery)))
        return Response(MarketShapeSerializer(answer).data)


class MarketShapeExportView(FileExportNegotiation, APIView):
    permission_classes = PERMISSIONS

    @extend_schema(parameters=[MarketShapeQuery, FORMAT_PARAMETER], responses=FILE_RESPONSES)
    def get(self, request, fmt: str):
        answer = market_shape(**MarketShapeQuery.arguments(query_parse(request, MarketShapeQuery)))
        content = table_file(
            headers=exports.MARKET_SHAPE_HEADERS, rows=exports.market_shape_rows(answer), fmt=fmt, title="Market shape"
        )
        return file_response(content, fmt=fmt, name=f"market-shape-{answer.on}")


class MarketLimitsView(APIView):
    """The council's market limits (the defaults until it sets them). PUT or PATCH sets some or all."""

    permission_classes = PERMISSIONS

    @extend_schema(responses=MarketLimitsSerializer)
    def get(self, request):
        query_parse(request, _NoQuery)
        return Response(MarketLimitsSerializer(market_limits()).data)

    @extend_schema(request=MarketLimitsSerializer, responses=MarketLimitsSerializer)
    def put(self, request):
        return self._set(request, partial=False)

    @extend_schema(request=MarketLimitsSerializer, responses=MarketLimitsSerializer)
    def patch(self, request):
        return self._set(request, partial=True)

    def _set(self, request, *, partial: bool):
        query_parse(request, _NoQuery)
        serializer = MarketLimitsSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return Response(
            MarketLimitsSerializer(services.market_limits_set(by=request.user, **serializer.validated_data)).data
        )


class SpotInflationViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The spot inflation path, one figure per financial year; a year not set follows the defaults (10% a year
    to 2019/20, 7% in 2020/21, 6.7% from 2021/22) or the latest earlier year set. Creating a year's figure again
    replaces it."""

    queryset = SpotInflation.objects.order_by("financial_year")
    serializer_class = SpotInflationSerializer
    permission_classes = PERMISSIONS
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.spot_inflation_set(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.spot_inflation_update(
            inflation=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.spot_inflation_delete(inflation=instance)


class SpotPriceViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Spot weekly prices by care type and day, where cost avoidance starts each contract's spot path."""

    queryset = SpotPrice.objects.order_by("care_type", "priced_on")
    serializer_class = SpotPriceSerializer
    permission_classes = PERMISSIONS
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.spot_price_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.spot_price_update(
            spot_price=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.spot_price_delete(spot_price=instance)
