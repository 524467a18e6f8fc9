"""Blob contents from one long-running `git cat-file --batch` process."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from harvester.errors import GitError
from harvester.gitsource.runner import GitRepo, git_command, git_environment

# Files larger than this are reported by size, never loaded (a 50 MB data dump is not a
# migration a reviewer reads line by line).
MAX_BLOB_BYTES = 4 * 1024 * 1024
_DISCARD_CHUNK = 1 << 20
# Request lines written without a writer thread: far below the 64 KB a pipe holds.
_INLINE_REQUESTS = 64


@dataclass(frozen=True, slots=True)
class Blob:
    """An object's content, or why there is none."""

    spec: str
    data: bytes | None
    size: int | None
    missing: bool = False

    @property
    def too_large(self) -> bool:
        """True when the object exists but was over the size limit and was not loaded."""
        return not self.missing and self.data is None


class BlobReader:
    """Reads objects by SHA or `<commit>:<path>` through a single cat-file process; threads
    may share it (one exchange with the process at a time)."""

    def __init__(self, repo: GitRepo, max_bytes: int = MAX_BLOB_BYTES) -> None:
        self._repo = repo
        self._max = max_bytes
        self._process: subprocess.Popen[bytes] | None = None
        self._cache: dict[str, Blob] = {}
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            self._process = subprocess.Popen(
                git_command(self._repo, ["cat-file", "--batch"]),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=git_environment(),
                cwd=self._repo.git_dir,
            )
        return self._process

    def read(self, spec: str) -> Blob:
        """One object (cached: specs by SHA never change)."""
        return self.read_many([spec])[spec]

    def read_many(self, specs: Iterable[str]) -> dict[str, Blob]:
        """Several objects in one exchange with the process, requests written while reading."""
        specs = list(specs)
        with self._lock:
            wanted = [s for s in dict.fromkeys(specs) if s not in self._cache]
            for spec in wanted:
                if "\n" in spec or not spec:
                    self._cache[spec] = Blob(spec, None, None, missing=True)
            wanted = [s for s in wanted if s not in self._cache]
            if wanted:
                self._exchange(wanted)
            return {s: self._cache[s] for s in specs}

    def contents(self, specs: Iterable[str]) -> dict[str, bytes | None]:
        """The data of several objects (None for one missing or too large), in one exchange."""
        return {spec: blob.data for spec, blob in self.read_many(specs).items()}

    def _exchange(self, wanted: list[str]) -> None:
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        writer = None
        if len(wanted) <= _INLINE_REQUESTS:
            # A few request lines fit in the pipe: no writer thread needed.
            _write_requests(process.stdin, wanted)
        else:
            writer = threading.Thread(
                target=_write_requests, args=(process.stdin, wanted), daemon=True
            )
            writer.start()
        for spec in wanted:
            self._cache[spec] = self._read_one(process.stdout, spec)
        if writer is not None:
            writer.join()

    def _read_one(self, stdout: IO[bytes], spec: str) -> Blob:
        header = stdout.readline()
        if not header:
            raise GitError("git cat-file stopped unexpectedly while reading file contents")
        parts = header.split()
        if len(parts) != 3:
            return Blob(spec, None, None, missing=True)
        size = int(parts[2])
        if size > self._max:
            remaining = size + 1
            while remaining:
                remaining -= len(stdout.read(min(remaining, _DISCARD_CHUNK)))
            return Blob(spec, None, size)
        data = stdout.read(size)
        stdout.read(1)
        return Blob(spec, data, size)

    def close(self) -> None:
        """Stop the cat-file process."""
        if self._process is not None:
            if self._process.stdin:
                self._process.stdin.close()
            if self._process.stdout:
                self._process.stdout.close()
            self._process.wait()
            self._process = None

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_requests(stdin: IO[bytes], specs: list[str]) -> None:
    stdin.write(b"".join(s.encode("utf-8", "surrogateescape") + b"\n" for s in specs))
    stdin.flush()
