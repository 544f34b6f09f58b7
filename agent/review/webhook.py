"""POST /hooks/zyntro (being built: agent.review.webhook)."""

from starlette.requests import Request
from starlette.responses import JSONResponse


async def receive(request: Request) -> JSONResponse:
    return JSONResponse({"error": "the webhook is not built yet"}, status_code=503)
