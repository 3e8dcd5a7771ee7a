"""Make every 400 answer match the documented error schema, with a readable `detail`.

BentoML documents `detail` as a string but sends pydantic's list of errors for invalid
requests; this middleware joins that list into one line such as
"sentences.0: Input should be a valid string".
"""

from __future__ import annotations

import json


def readable_detail(detail: object) -> str:
    """``[{"loc": ["sentences", 0], "msg": "bad"}]`` -> ``"sentences.0: bad"``."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                location = ".".join(str(p) for p in item.get("loc", []))
                message = str(item.get("msg", item))
                parts.append(f"{location}: {message}" if location else message)
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return json.dumps(detail)


class ErrorDetail:
    """Pure ASGI middleware rewriting 400 JSON bodies; every other response streams through."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        chunks: list[bytes] = []

        async def capture(message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and message["status"] == 400:
                start = message
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            try:
                payload = json.loads(body)
                if isinstance(payload, dict) and "detail" in payload:
                    payload["detail"] = readable_detail(payload["detail"])
                    body = json.dumps(payload).encode()
            except ValueError:
                pass
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)
