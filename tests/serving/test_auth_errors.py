import asyncio
import json

from serving.auth import BearerAuth
from serving.errors import ErrorDetail, readable_detail


def test_readable_detail_worked_examples():
    assert readable_detail([{"loc": ["sentences", 0], "msg": "bad"}, {"loc": [], "msg": "worse"}]) == \
        "sentences.0: bad; worse"
    assert readable_detail("already text") == "already text"


async def _call(app, path="/classify", headers=()):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app({"type": "http", "method": "POST", "path": path, "headers": list(headers)}, receive, send)
    return sent


async def _bad_request(scope, receive, send):
    body = json.dumps({"error": "x", "detail": [{"loc": ["text"], "msg": "too long"}]}).encode()
    await send({"type": "http.response.start", "status": 400,
                "headers": [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _ok(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def test_error_detail_rewrites_400_bodies_only():
    sent = asyncio.run(_call(ErrorDetail(_bad_request)))
    body = json.loads(sent[1]["body"])
    assert body == {"error": "x", "detail": "text: too long"}
    assert dict(sent[0]["headers"])[b"content-length"] == str(len(sent[1]["body"])).encode()
    assert asyncio.run(_call(ErrorDetail(_ok)))[1]["body"] == b"ok"


def test_bearer_auth_paths_and_keys():
    guarded = BearerAuth(_ok, api_key="k")
    assert asyncio.run(_call(guarded))[0]["status"] == 401
    assert asyncio.run(_call(guarded, headers=[(b"authorization", b"Bearer k")]))[0]["status"] == 200
    assert asyncio.run(_call(guarded, headers=[(b"authorization", b"Basic k")]))[0]["status"] == 401
    assert asyncio.run(_call(guarded, path="/metrics"))[0]["status"] == 200
    assert asyncio.run(_call(guarded, path="/ui/static/app.js"))[0]["status"] == 200
    assert asyncio.run(_call(BearerAuth(_ok, api_key=None)))[0]["status"] == 200
