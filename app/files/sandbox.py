"""Text extraction (markitdown) in a sandbox: a child process with a time, memory and output limit.

Parsers inflate what they read: a 9.85 MB DOCX that expands to 99 MB of XML passed the zip header
checks (`app.files.limits`) and then took the server from 1.3 to 5.4 GB of memory and 14 CPU
minutes, stalling `/healthz`. So every extraction runs in a fresh child process, forked from a
helper process that has markitdown imported already (multiprocessing's "forkserver": the web
server's threads and sockets never reach the child, and a fork costs milliseconds, not the seconds
an import takes). In the child:

* its address space is capped (`resource.setrlimit(RLIMIT_AS)`), as are CPU seconds and file size,
  and it runs at a lower priority than the server;
* an Office file (a zip) is first inflated member by member, counting the bytes really produced,
  and refused past `max_inflated_bytes`: headers can lie, the count cannot;
* the text is cut to `max_output_chars`.

The parent waits at most `timeout_s`, kills the child if it must, and reads at most the bytes that
many characters can take. Every failure becomes an `InputError` that says what to do.
"""

from __future__ import annotations

import io
import json
import logging
import math
import multiprocessing
import os
import resource
import zipfile
from dataclasses import asdict, dataclass
from functools import cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from app.errors import InputError
from app.files.kinds import OFFICE_KINDS
from app.files.limits import inflated_chunks

logger = logging.getLogger(__name__)

MB = 1024 * 1024
_KILL_WAIT_S = 5.0


@dataclass(frozen=True)
class ExtractionLimits:
    """What one extraction may cost."""

    timeout_s: float = 30.0
    memory_bytes: int = 2048 * MB  # the child's whole address space, markitdown included (~0.6 GB)
    max_output_chars: int = 1_000_000
    max_inflated_bytes: int = 20 * MB  # an Office file's content, counted while inflating
    max_members: int = 2_000

    @classmethod
    def from_settings(cls, settings: Any) -> ExtractionLimits:
        return cls(
            timeout_s=settings.extraction_timeout_s,
            memory_bytes=settings.extraction_memory_mb * MB,
            max_output_chars=settings.extraction_max_output_chars,
            max_inflated_bytes=settings.extraction_max_inflated_mb * MB,
        )


DEFAULT_LIMITS = ExtractionLimits()


def extract_markdown(data: bytes, *, kind: str, name: str, limits: ExtractionLimits = DEFAULT_LIMITS) -> str:
    """Markdown text of a document (`kind`: its extension without the dot), read in a sandbox.

    Raises InputError naming `name` when the file is damaged, too large once inflated, too slow or
    too memory-hungry to read. The caller has checked type and size already.
    """
    receiver, sender = _context().Pipe(duplex=False)
    child = _context().Process(
        target=_child_main, args=(sender, data, kind, name, asdict(limits)), daemon=True
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(limits.timeout_s):
            logger.warning("extraction timed out", extra={"file_type": kind, "timeout_s": limits.timeout_s})
            raise InputError(
                f"'{name}' took longer than {limits.timeout_s:.0f} s to read; it may be damaged or too "
                "complex. Try a smaller or simpler file."
            )
        raw = receiver.recv_bytes(maxlength=_max_message_bytes(limits))
    except EOFError:  # the child died without a word: out of memory, or killed by a limit
        logger.warning("extraction child died", extra={"file_type": kind, "exit_code": child.exitcode})
        raise InputError(
            f"'{name}' needs too much memory to read; it may be damaged or too complex."
        ) from None
    except OSError:  # longer than the output limit allows
        raise InputError(f"'{name}' holds more text than can be read at once.") from None
    finally:
        receiver.close()
        _stop(child)
    return _result(json.loads(raw), name=name, kind=kind)


@cache
def _context() -> Any:
    """The forkserver context, its server preloading markitdown (started on first use, once)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["app.files.sandbox", "markitdown"])
    return context


def _max_message_bytes(limits: ExtractionLimits) -> int:
    """The longest JSON answer `max_output_chars` characters can make (escapes included)."""
    return 6 * limits.max_output_chars + 4096


def _stop(child: Any) -> None:
    """Make sure the child is gone (it normally has exited already)."""
    child.join(timeout=0.5)
    if child.is_alive():
        child.kill()
        child.join(timeout=_KILL_WAIT_S)
    child.close()


def _result(answer: dict[str, Any], *, name: str, kind: str) -> str:
    if answer.get("ok"):
        if answer.get("truncated"):
            logger.info("extracted text cut to the output limit", extra={"file_type": kind})
        return str(answer["text"])
    problem = answer.get("problem")
    logger.info(
        "extraction refused", extra={"file_type": kind, "problem": problem, "error": answer.get("error")}
    )
    if problem == "input":
        raise InputError(str(answer.get("message")))
    if problem == "memory":
        raise InputError(f"'{name}' needs too much memory to read; it may be damaged or too complex.")
    raise InputError(f"'{name}' could not be read as {kind.upper()}; it may be damaged.")


# --- the child ------------------------------------------------------------------------------
def _child_main(conn: Connection, data: bytes, kind: str, name: str, limits_dict: dict[str, Any]) -> None:
    """Runs in the sandboxed child: limit itself, check, convert, answer with one JSON message."""
    limits = ExtractionLimits(**limits_dict)
    try:
        _limit_resources(limits)
        if kind in OFFICE_KINDS:
            check_inflated_size(name, data, limits)
        text = _convert(data, kind, name)
        answer = {
            "ok": True,
            "text": text[: limits.max_output_chars],
            "truncated": len(text) > limits.max_output_chars,
        }
    except InputError as exc:
        answer = {"ok": False, "problem": "input", "message": str(exc)}
    except Exception as exc:  # markitdown and its parsers raise many types for broken files
        problem = "memory" if _out_of_memory(exc) or _near_memory_limit(limits) else "unreadable"
        answer = {"ok": False, "problem": problem, "error": type(exc).__name__}
    conn.send_bytes(json.dumps(answer, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    conn.close()


def _out_of_memory(exc: BaseException) -> bool:
    """A MemoryError, or an error a parser raised while handling one."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, MemoryError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _near_memory_limit(limits: ExtractionLimits, share: float = 0.9) -> bool:
    """Whether this child's peak address space came within `share` of its cap.

    A parser that fails an allocation in C code may raise any error type (not MemoryError); a
    child that reached its ceiling failed for want of memory, whatever the exception says.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:  # not Linux: only the exception's type can tell
        return False
    for line in status.splitlines():
        if line.startswith("VmPeak:"):
            return int(line.split()[1]) * 1024 >= share * limits.memory_bytes
    return False


def _limit_resources(limits: ExtractionLimits) -> None:
    """Cap memory, CPU time and written file size, and yield the CPU to the server."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = math.ceil(limits.timeout_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_inflated_bytes, limits.max_inflated_bytes))
    os.nice(10)


def check_inflated_size(name: str, data: bytes, limits: ExtractionLimits = DEFAULT_LIMITS) -> int:
    """Inflate every member of an Office zip, counting the bytes produced; InputError past the limit.

    Returns the total. Parsers later read the same members, so they never see more than was counted.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > limits.max_members:
                raise InputError(
                    f"'{name}' holds {len(members)} parts; at most {limits.max_members} are accepted."
                )
            total = 0
            for member in members:
                total += _inflated_size(archive, member, limits.max_inflated_bytes - total, name, limits)
            return total
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, ValueError, EOFError, OSError):
        raise InputError(f"'{name}' is not a valid Office file; it may be damaged or renamed.") from None


def _inflated_size(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int, name: str, limits: ExtractionLimits
) -> int:
    limit = limits.max_inflated_bytes // MB
    refusal = f"'{name}' expands to more than {limit} MB of content; at most {limit} MB are accepted."
    return sum(len(chunk) for chunk in inflated_chunks(archive, member, budget, refusal))


def _convert(data: bytes, kind: str, name: str) -> str:
    from markitdown import MarkItDown, StreamInfo

    info = StreamInfo(extension=f".{kind}", filename=name)
    return MarkItDown(enable_plugins=False).convert_stream(io.BytesIO(data), stream_info=info).markdown
