"""The two drivers: perform a flow's steps with a sync or an async httpx client."""

from __future__ import annotations

import inspect
import os
import time
from pathlib import Path
from typing import TypeVar, cast

import anyio
import anyio.to_thread
import httpx

from ._config import ClientConfig
from ._download import Copy, PartialFile, ProgressCallback, async_copy, copy, download_flow
from ._flow import Flow, Read, Send, Sleep, to_httpx
from ._request import RequestSpec
from ._types import RequestOptions

__all__ = ["AsyncEngine", "Engine"]

T = TypeVar("T")

# Module-level so tests can record waits instead of sleeping them.
sleep = time.sleep
async_sleep = anyio.sleep


class Engine:
    """A client's settings and connection pool, and the sync driver of flows."""

    def __init__(self, config: ClientConfig, http: httpx.Client, *, owns_http: bool) -> None:
        self.config = config
        self.http = http
        self.owns_http = owns_http

    def sharing_pool(self, config: ClientConfig) -> Engine:
        """An engine with other settings on this one's pool (which it will not close)."""
        return Engine(config, self.http, owns_http=False)

    def run(self, flow: Flow[T]) -> T:
        """Perform a flow's steps until it returns (or raises)."""
        reply: object = None
        error: httpx.TransportError | None = None
        try:
            while True:
                try:
                    step = flow.send(reply) if error is None else flow.throw(error)
                except StopIteration as stop:
                    return cast(T, stop.value)
                reply, error = None, None
                try:
                    if isinstance(step, Send):
                        request = to_httpx(self.http, step.request)
                        reply = self.http.send(request, stream=step.stream)
                    elif isinstance(step, Read):
                        reply = step.response.read()
                    elif isinstance(step, Sleep):
                        sleep(step.seconds)
                    elif isinstance(step, Copy):
                        copy(step)
                    else:
                        step.callback(step.value)
                except httpx.TransportError as exc:
                    error = exc
        finally:
            flow.close()

    def download(
        self,
        spec: RequestSpec,
        options: RequestOptions,
        path: str | os.PathLike[str],
        *,
        response: httpx.Response | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """Download into ``path`` through a temporary file, resuming after cuts."""
        sink = PartialFile(path)
        try:
            flow = download_flow(
                self.config, spec, options, sink, response=response, on_progress=on_progress
            )
            return self.run(flow)
        finally:
            sink.discard()

    def close(self) -> None:
        """Close the pool if this engine made it."""
        if self.owns_http:
            self.http.close()


class AsyncEngine:
    """A client's settings and connection pool, and the async driver of flows."""

    def __init__(self, config: ClientConfig, http: httpx.AsyncClient, *, owns_http: bool) -> None:
        self.config = config
        self.http = http
        self.owns_http = owns_http

    def sharing_pool(self, config: ClientConfig) -> AsyncEngine:
        """An engine with other settings on this one's pool (which it will not close)."""
        return AsyncEngine(config, self.http, owns_http=False)

    async def run(self, flow: Flow[T]) -> T:
        """Perform a flow's steps until it returns (or raises); cancellation stops it at once."""
        reply: object = None
        error: httpx.TransportError | None = None
        try:
            while True:
                try:
                    step = flow.send(reply) if error is None else flow.throw(error)
                except StopIteration as stop:
                    return cast(T, stop.value)
                reply, error = None, None
                try:
                    if isinstance(step, Send):
                        request = to_httpx(self.http, step.request)
                        reply = await self.http.send(request, stream=step.stream)
                    elif isinstance(step, Read):
                        reply = await step.response.aread()
                    elif isinstance(step, Sleep):
                        await async_sleep(step.seconds)
                    elif isinstance(step, Copy):
                        await async_copy(step)
                    else:
                        result = step.callback(step.value)
                        if inspect.isawaitable(result):
                            await result
                except httpx.TransportError as exc:
                    error = exc
        finally:
            flow.close()

    async def download(
        self,
        spec: RequestSpec,
        options: RequestOptions,
        path: str | os.PathLike[str],
        *,
        response: httpx.Response | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """Download into ``path`` through a temporary file, resuming after cuts."""
        sink = await anyio.to_thread.run_sync(PartialFile, path)
        try:
            flow = download_flow(
                self.config, spec, options, sink, response=response, on_progress=on_progress
            )
            return await self.run(flow)
        finally:
            sink.discard()

    async def close(self) -> None:
        """Close the pool if this engine made it."""
        if self.owns_http:
            await self.http.aclose()
