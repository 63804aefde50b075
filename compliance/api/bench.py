"""The stack's ceiling for the load bench: a DRF endpoint that answers a constant.

Mounted only when ``EGIDE_BENCH_ENDPOINTS`` is on (bench/load/run.py turns it on for its
own server); never in production. It goes through the same middleware, the same API-key
authentication and the same renderer as every real endpoint, so the ratio of a real list
to it measures what the list itself costs.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

CONSTANT = {"ok": True}


class CeilingView(APIView):
    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        return Response(CONSTANT)
