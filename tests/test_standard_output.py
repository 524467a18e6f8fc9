"""Writing the report to the standard output: a full device is one clear error."""

from __future__ import annotations

import errno
import io

import pytest

from harvester.errors import OutputError
from harvester.options import OutputOptions
from harvester.writer import write_output


class _Full(io.BytesIO):
    def write(self, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


class _Stdout:
    buffer = _Full()

    def flush(self) -> None:
        pass


def test_a_full_standard_output_is_an_output_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdout", _Stdout())
    with pytest.raises(OutputError, match="cannot write the standard output: No space left"):
        write_output("# report\n", OutputOptions())
