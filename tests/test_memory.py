"""envgraph.memory: handing the allocator's free pages back to the OS."""

from __future__ import annotations

import platform
import sys

from envgraph.memory import release_free_memory


def test_release_free_memory_asks_glibc_and_is_a_no_op_elsewhere() -> None:
    blocks = [bytearray(2**20) for _ in range(32)]  # something to free
    del blocks
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert release_free_memory() is glibc
    assert release_free_memory() is glibc  # repeatable
