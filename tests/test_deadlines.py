"""The async engine's deadline watch on asyncio: one timer per loop, cuts that become
``TimeoutError`` exactly when they are the watch's own, and no cancellation left behind."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

if sys.version_info < (3, 11):  # the engine uses anyio's cancel scopes there
    pytest.skip("the watch needs Task.uncancel (Python 3.11)", allow_module_level=True)

from sora_videos._deadlines import Watch


def cancellations_pending() -> int:
    """Cancellations asked of the current task and not taken back."""
    task = asyncio.current_task()
    assert task is not None
    if sys.version_info >= (3, 11):
        return task.cancelling()
    raise AssertionError("the module is skipped before 3.11")


def cut_now(watch: Watch) -> None:
    """Make every deadline in flight due and fire the timer, in this turn of the loop."""
    for deadline in list(watch._in_flight):  # pyright: ignore[reportPrivateUsage]
        deadline.when = 0.0
    watch._fire()  # pyright: ignore[reportPrivateUsage]


async def waiting_request(watch: Watch) -> asyncio.Task[str]:
    """A request under a 30 s deadline whose answer takes 10 s, started and now waiting."""
    task = asyncio.create_task(watch.run(answer_after(10), 30))
    await asyncio.sleep(0.01)
    return task


async def answer_after(seconds: float, value: str = "answer") -> str:
    await asyncio.sleep(seconds)
    return value


def test_a_request_past_its_deadline_is_cut_with_a_timeout() -> None:
    async def main() -> None:
        watch = Watch(asyncio.get_running_loop())
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await watch.run(answer_after(10), 0.05)
        assert 0.04 < time.monotonic() - started < 1.0
        assert len(watch) == 0
        await asyncio.sleep(0)  # no cancellation is left pending on the task
        assert cancellations_pending() == 0

    asyncio.run(main())


def test_answers_in_time_leave_nothing_behind_and_share_one_timer() -> None:
    async def main() -> None:
        watch = Watch(asyncio.get_running_loop())
        assert await watch.run(answer_after(0), 30) == "answer"
        timer = watch._timer  # pyright: ignore[reportPrivateUsage]
        assert timer is not None
        for _ in range(100):  # later deadlines: the timer set for the first one stays
            assert await watch.run(answer_after(0), 30) == "answer"
        assert watch._timer is timer  # pyright: ignore[reportPrivateUsage]
        assert len(watch) == 0

    asyncio.run(main())


def test_a_shorter_deadline_moves_the_timer_up_and_the_longer_one_still_holds() -> None:
    async def main() -> None:
        watch = Watch(asyncio.get_running_loop())
        long = asyncio.create_task(watch.run(answer_after(0.3, "long"), 30))
        await asyncio.sleep(0)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await watch.run(answer_after(10), 0.05)
        assert time.monotonic() - started < 0.25
        assert await long == "long"
        assert len(watch) == 0

    asyncio.run(main())


def test_a_cancellation_from_elsewhere_stays_a_cancellation() -> None:
    async def main() -> None:
        watch = Watch(asyncio.get_running_loop())
        task = await waiting_request(watch)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert len(watch) == 0

    asyncio.run(main())


def test_an_outer_timeout_that_fires_first_is_the_callers_own() -> None:
    async def main() -> None:
        watch = Watch(asyncio.get_running_loop())
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(watch.run(answer_after(10), 30), 0.05)
        assert len(watch) == 0
        assert cancellations_pending() == 0

    asyncio.run(main())


def test_a_cut_and_a_cancellation_together_is_a_cancellation() -> None:
    async def main() -> None:
        watch = Watch(asyncio.get_running_loop())
        task = await waiting_request(watch)
        cut_now(watch)
        task.cancel()  # the caller gives up in the same turn of the loop
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())


def test_a_cut_as_the_answer_arrives_leaves_no_cancellation_behind() -> None:
    async def main() -> str:
        watch = Watch(asyncio.get_running_loop())
        answered: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        async def request() -> str:
            try:
                return await watch.run(wait(answered), 30)
            except TimeoutError:
                pass
            await asyncio.sleep(0)  # a cancellation left pending would surface here
            return "timed out, and the task goes on"

        task = asyncio.create_task(request())
        await asyncio.sleep(0.01)
        answered.set_result("answer")  # the task is woken...
        cut_now(watch)  # ...and cut before it runs
        return await task

    async def wait(future: asyncio.Future[str]) -> str:
        return await future

    assert asyncio.run(main()) == "timed out, and the task goes on"


def test_a_cut_the_request_swallows_is_taken_back() -> None:
    async def swallowing() -> str:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            return "answer kept"  # a transport that finishes its answer when cut
        return "slept"

    async def main() -> None:
        watch = Watch(asyncio.get_running_loop())
        assert await watch.run(swallowing(), 0.05) == "answer kept"
        assert cancellations_pending() == 0

    asyncio.run(main())
