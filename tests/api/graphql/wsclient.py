"""A small graphql-transport-ws client (on ``websockets``) for the tests."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from websockets.asyncio.client import connect


async def collect(
    url: str, key: str | None, query: str, variables: dict[str, Any], count: int, out: list[Any] | None = None
) -> list[Any]:
    """Subscribe and return the first ``count`` ``next`` payloads (or the close/error message);
    ``out`` receives the payloads as they arrive."""
    out = [] if out is None else out
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        payload = {"Authorization": f"Bearer {key}"} if key else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await ws.recv())
        if ack["type"] != "connection_ack":
            return [ack]
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}})
        )
        while len(out) < count:
            message = json.loads(await asyncio.wait_for(ws.recv(), 20))
            if message["type"] != "next":
                return [*out, message]
            out.append(message["payload"])
        await ws.send(json.dumps({"id": "1", "type": "complete"}))
    return out


class Subscriber(threading.Thread):
    """Runs ``collect`` in a thread so a synchronous test can act while it listens."""

    def __init__(self, url: str, key: str | None, query: str, variables: dict[str, Any], count: int) -> None:
        super().__init__(daemon=True)
        self.args = (url, key, query, variables, count)
        self.received: list[Any] = []
        self.result: list[Any] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = asyncio.run(collect(*self.args, self.received))
        except BaseException as exc:
            self.error = exc

    def wait(self, timeout: float = 30) -> list[Any]:
        self.join(timeout)
        if self.error is not None:
            raise self.error
        assert self.result is not None, "the subscription did not finish"
        return self.result
