"""Optional bearer-token auth for every API except health, metrics and the docs."""

from __future__ import annotations

import hashlib
import hmac
import json

# Health, metrics, the API description and the explorer page stay open; the page itself asks
# for the key and sends it with every API call.
OPEN_PATHS = ("/", "/ui/", "/ui/review", "/healthz", "/readyz", "/livez", "/metrics", "/docs", "/docs.json",
              "/favicon.ico")
OPEN_PREFIXES = ("/static_content/", "/ui/static/")


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


class BearerAuth:
    """Pure ASGI middleware; with no key configured it passes every request through."""

    def __init__(self, app, api_key: str | None = None) -> None:
        self.app = app
        self.expected = _digest(api_key) if api_key else None

    def authorised(self, headers: list[tuple[bytes, bytes]]) -> bool:
        for name, value in headers:
            if name.lower() == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                # Comparing fixed-length digests keeps the comparison constant-time.
                return scheme.lower() == "bearer" and hmac.compare_digest(
                    _digest(token.strip()), self.expected
                )
        return False

    async def __call__(self, scope, receive, send) -> None:
        if (
            self.expected is None
            or scope["type"] != "http"
            or scope.get("method") == "OPTIONS"
            or scope["path"] in OPEN_PATHS
            or scope["path"].startswith(OPEN_PREFIXES)
            or self.authorised(scope.get("headers", []))
        ):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": "unauthorised: send 'Authorization: Bearer <key>'"}).encode()
        await send({"type": "http.response.start", "status": 401, "headers": [
            (b"content-type", b"application/json"), (b"www-authenticate", b"Bearer"),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
