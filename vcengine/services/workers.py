"""Worker processes for CPU work (bulk signing) that exit when the service does, however it ends.

A ``ProcessPoolExecutor`` worker waits for jobs on a pipe whose write end it holds itself, so it
never sees the service go: a service killed without shutting its pool down (SIGKILL, the OOM
killer, a crash) left its workers running for good, holding memory and decrypted issuer keys.

The workers are started by the fork server (the ``forkserver`` start method: forking the
threaded service itself is unsafe), so their parent is the fork server, not the service. That
rules out the usual guards: ``prctl(PR_SET_PDEATHSIG)`` fires when the *parent* exits, and a
watchdog on the parent pid watches the same process — and the fork server outlives the service,
because every worker holds a copy of the fd whose closing would tell it to exit. (Measured: after
a SIGKILL of the service, fork server and workers all stayed.)

So each worker holds a lifeline instead: the read end of a pipe whose only write end stays in
the service (passed to the workers through the fork server, never inherited by a fork). A daemon
thread in the worker blocks reading it; when the service exits, however it exits, the kernel
closes the write end, the read returns end-of-file and the worker exits at once. The fork server
then sees its last clients gone and exits too. No polling, no pid reuse, any POSIX system.
"""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from multiprocessing.connection import Connection

__all__ = ["WorkerPool", "hold_lifeline"]


def _exit_when_closed(lifeline: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv_bytes()  # nothing is ever sent: this returns only at end-of-file
    os._exit(0)  # the service is gone: nobody will collect a result; no clean-up to wait for


def hold_lifeline(lifeline: Connection) -> None:
    """The initializer of each worker: exit the moment the service's end of ``lifeline`` closes."""
    threading.Thread(
        target=_exit_when_closed, args=(lifeline,), name="vcengine-lifeline", daemon=True
    ).start()


class WorkerPool:
    """``executor``: a process pool on the fork server whose workers die with this process."""

    def __init__(self, workers: int) -> None:
        context = get_context("forkserver")  # not "fork": a forked worker would inherit the write end
        self._lifeline, self._writer = context.Pipe(duplex=False)
        self.executor = ProcessPoolExecutor(
            workers, mp_context=context, initializer=hold_lifeline, initargs=(self._lifeline,)
        )

    def shutdown(self) -> None:
        """Stop taking jobs; workers exit when their current job ends (not waited for)."""
        self.executor.shutdown(wait=False, cancel_futures=True)
