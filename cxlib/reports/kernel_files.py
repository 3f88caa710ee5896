"""Where a study's kernel keeps its files: a private folder of the run, never the working directory.

A kernel speaks over local (IPC) sockets, which open no TCP port and spare a scheduled
run's log ipykernel's warning about TCP without encryption. Each socket is a file named
``PREFIX-1`` ... ``PREFIX-5``; by default jupyter_client puts them in the working directory
(``kernel-ipc-1``), so two runs started from one folder took each other's sockets
("Invalid Signature"), a run from a folder it cannot write to could not start, and a
killed run left them behind. :func:`private_kernel` puts the connection file and the
sockets in a folder of their own (made by :func:`tempfile.mkdtemp`, readable by this user
only) and removes it when the run ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator

__all__ = ["SOCKET_PATH_MAX", "kill_kernels", "private_kernel"]

SOCKET_PATH_MAX = 107  # bytes of a Unix socket's path (sun_path holds 108 with the final NUL)
_PREFIX = "cx-kernel-"
_SOCKET = "kernel-ipc-99"  # the longest socket name a kernel takes in its folder (five sockets, numbered from 1)
_RUNNING: weakref.WeakSet = weakref.WeakSet()  # the kernel managers whose kernel was launched in this process


def kill_kernels() -> None:
    """End this process's study kernels at once (a stop signal): a kernel told to shut down while it replies would
    print a traceback of its closed sockets into the log of a run that stopped correctly."""
    for manager in list(_RUNNING):
        process = getattr(manager.provisioner, "process", None)
        if process is not None and process.poll() is None:
            process.kill()


def _private_folder() -> str:
    """A new folder for one kernel's files: in the temporary directory, or in /tmp when that path is too long."""
    longest = len(os.fsencode(tempfile.gettempdir())) + len(f"/{_PREFIX}xxxxxxxx/{_SOCKET}")
    return tempfile.mkdtemp(prefix=_PREFIX, dir=None if longest <= SOCKET_PATH_MAX else "/tmp")


@contextlib.contextmanager
def private_kernel() -> Iterator[type]:
    """A kernel manager class (for papermill) whose kernel keeps its files in a private folder, removed at the end."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum, Unicode

    folder = _private_folder()

    class PrivateKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)
        connection_file = Unicode(os.path.join(folder, "kernel.json"), config=True)  # sockets: kernel-ipc-N beside it

        async def _async_pre_start_kernel(self, **kw):
            """The kernel's environment without PYTHONWARNINGS: a CI job that sets it to ``error`` to catch its own
            deprecations would turn ipykernel's shutdown warning into an "ERROR" and a traceback on every run. With
            PYTHONSAFEPATH, neither Python nor IPython puts the working directory on the kernel's import path: an
            analyst's folder with a script named pandas.py would otherwise replace the library in the study."""
            env = {k: v for k, v in kw.get("env", os.environ).items() if k != "PYTHONWARNINGS"}
            kw["env"] = {**env, "PYTHONSAFEPATH": "1"}
            return await super()._async_pre_start_kernel(**kw)

        async def _async_launch_kernel(self, kernel_cmd, **kw) -> None:
            await super()._async_launch_kernel(kernel_cmd, **kw)
            _RUNNING.add(self)

        async def _async_interrupt_kernel(self) -> None:
            """Interrupt a running cell; at shutdown (jupyter_client interrupts first) the run is over and the kernel
            idle, and an interrupt would only log "KeyboardInterrupt caught in kernel" to a scheduler's log."""
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    try:
        yield PrivateKernelManager
    finally:
        shutil.rmtree(folder, ignore_errors=True)
