"""Logic written once for the sync and the asyncio client.

The framework adapters write each operation as a generator that yields the calls it needs
(:class:`Call`) and receives their results; :func:`run` / :func:`arun` carry the calls out on a
:class:`~memsidecar.MemSidecar` or an :class:`~memsidecar.AsyncMemSidecar`. A generator that also
produces items for its caller yields them wrapped in :class:`Emit` (:func:`iterate` / :func:`aiterate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Generator, Iterator, TypeVar

R = TypeVar("R")
Steps = Generator[Any, Any, R]


@dataclass
class Call:
    """``client.<block>.<method>(*args, **kwargs)``; a stream is collected into a list; the exception
    types in ``tolerate`` are returned instead of raised."""

    block: str
    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    stream: bool = False
    tolerate: tuple[type[Exception], ...] = ()


@dataclass
class Emit:
    value: Any


def _execute(call: Call, client: Any) -> Any:
    try:
        result = getattr(getattr(client, call.block), call.method)(*call.args, **call.kwargs)
        return list(result) if call.stream else result
    except call.tolerate as e:
        return e


async def _aexecute(call: Call, client: Any) -> Any:
    try:
        fn = getattr(getattr(client, call.block), call.method)
        if call.stream:
            return [x async for x in fn(*call.args, **call.kwargs)]
        return await fn(*call.args, **call.kwargs)
    except call.tolerate as e:
        return e


def run(steps: Steps[R], client: Any) -> R:
    result: Any = None
    while True:
        try:
            call = steps.send(result)
        except StopIteration as done:
            return done.value
        result = _execute(call, client)


async def arun(steps: Steps[R], client: Any) -> R:
    result: Any = None
    while True:
        try:
            call = steps.send(result)
        except StopIteration as done:
            return done.value
        result = await _aexecute(call, client)


def iterate(steps: Steps[Any], client: Any) -> Iterator[Any]:
    result: Any = None
    while True:
        try:
            step = steps.send(result)
        except StopIteration:
            return
        if isinstance(step, Emit):
            result = None
            yield step.value
        else:
            result = _execute(step, client)


async def aiterate(steps: Steps[Any], client: Any) -> AsyncIterator[Any]:
    result: Any = None
    while True:
        try:
            step = steps.send(result)
        except StopIteration:
            return
        if isinstance(step, Emit):
            result = None
            yield step.value
        else:
            result = await _aexecute(step, client)
