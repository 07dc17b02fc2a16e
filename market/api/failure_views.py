"""A provider failure what-if as JSON, and its plan as a CSV or XLSX a broker works from.

Council staff who plan for failure read it: commissioners, brokers, compliance and contract officers. Provider
users are refused (403), their own provider's included: the answer is made of other providers' free beds, prices
and vacancies and of the council's own plan for the provider's people, none of which is the provider's to see."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import allow
from core.exports import FILE_RESPONSES, FORMAT_PARAMETER, FileExportNegotiation, file_response, table_file
from core.query import query_names_check
from market import capabilities as caps
from market import exports_failure as exports
from market.api.failure_serializers import FailureQuery, WhatIfSerializer
from market.selectors.failure import failure_what_if
from providers.models import Provider

PERMISSIONS = [allow(read=caps.PLAN_FOR_FAILURE)]


def what_if_for(request, provider_id: int):
    """The what-if the address asks for: the provider (404 if none), the query checked (a 400 naming each bad or
    unknown parameter; a home must be the provider's own)."""
    provider = get_object_or_404(Provider, pk=provider_id)
    query = FailureQuery(data=request.query_params, context={"provider": provider})
    query_names_check(request.query_params, query.fields.keys())
    query.is_valid(raise_exception=True)
    return failure_what_if(provider=provider, **FailureQuery.arguments(query.validated_data))


class FailureView(APIView):
    """If the provider (or one of its homes, or its homes in an area) failed on the day: who is affected, the
    re-placement plan, the shortfall, the weekly cost and the market after."""

    permission_classes = PERMISSIONS

    @extend_schema(parameters=[FailureQuery], responses=WhatIfSerializer)
    def get(self, request, provider_id: int):
        return Response(WhatIfSerializer(what_if_for(request, provider_id)).data)


class FailureExportView(FileExportNegotiation, APIView):
    """The plan, one row per person, those without a bed first."""

    permission_classes = PERMISSIONS

    @extend_schema(parameters=[FailureQuery, FORMAT_PARAMETER], responses=FILE_RESPONSES)
    def get(self, request, provider_id: int, fmt: str):
        answer = what_if_for(request, provider_id)
        content = table_file(headers=exports.PLAN_HEADERS, rows=exports.plan_rows(answer), fmt=fmt, title="Plan")
        return file_response(content, fmt=fmt, name=f"failure-plan-{answer.provider.pk}-{answer.on}")
