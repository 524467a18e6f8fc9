"""Running git so that the analysed repository can never make it run anything.

The repository's own configuration is untrusted input (harvester runs in CI on strangers' pull
requests): every call overrides the settings that start programs (fsmonitor, hooks, external
diff, textconv, pagers, signature checks) and forbids every transport, so reading a range
never touches the network or executes code from the repository. harvester only reads: no
command here writes to the repository or its configuration.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO

from harvester.errors import GitError, MissingObjectsError, NotARepositoryError

# The niceness of git commands that run beside the log (a nice value of 0 is the default).
BACKGROUND_NICENESS = 10

# -c settings that neutralise everything in a repository's config that could run a program
# or reach the network while harvester reads it.
SAFE_CONFIG: tuple[str, ...] = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.quotePath=false",
    "core.alternateRefsCommand=",
    "log.showSignature=false",
    "color.ui=never",
    "protocol.allow=never",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.relative=false",
)

# Options for every diff-producing command: no external diff drivers, no textconv filters.
DIFF_SAFETY: tuple[str, ...] = ("--no-ext-diff", "--no-textconv", "--no-color")


# Variables that would point git at another repository or inject settings and programs;
# the user's own configuration files (GIT_CONFIG_GLOBAL, …) are respected.
_DROPPED_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_COMMON_DIR",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_EXTERNAL_DIFF",
    "GIT_DIFF_OPTS",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_PAGER",
    "GIT_EDITOR",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_ASKPASS",
    "GIT_PROXY_COMMAND",
    "GIT_REPLACE_REF_BASE",
)


def git_environment() -> dict[str, str]:
    """The environment git runs in: no redirection, no prompts, no lazy fetches, C locale."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _DROPPED_VARIABLES
        and not k.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))
    }
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        GIT_NO_LAZY_FETCH="1",
        GIT_PAGER="cat",
        LC_ALL="C",
        LANGUAGE="C",
    )
    return env


@dataclass(frozen=True, slots=True)
class GitRepo:
    """An opened repository: where its objects are and what kind of clone it is."""

    git_dir: str
    work_tree: str | None
    shallow: bool

    @property
    def bare(self) -> bool:
        """True for a repository without a work tree."""
        return self.work_tree is None


def _git_binary() -> str:
    found = shutil.which("git")
    if not found:
        raise GitError("git is not installed or not on PATH; harvester needs git 2.25 or newer")
    return found


def git_command(repo: GitRepo | None, args: Sequence[str]) -> list[str]:
    cmd = [_git_binary(), "--no-pager"]
    for setting in SAFE_CONFIG:
        cmd += ["-c", setting]
    if repo is not None:
        cmd.append(f"--git-dir={repo.git_dir}")
    return cmd + list(args)


def run_git(
    repo: GitRepo | None,
    args: Sequence[str],
    *,
    stdin: bytes | None = None,
    cwd: str | None = None,
    check: bool = True,
    background: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """Run one git command to completion and return its result (stdout as bytes); with
    `background`, at a lower CPU priority (see `stream_git`)."""
    command = git_command(repo, args)
    with subprocess.Popen(
        command,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=git_environment(),
        cwd=cwd or (repo.git_dir if repo else None),
    ) as process:
        if background:
            _lower_priority(process.pid)
        stdout, stderr = process.communicate(stdin)
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if check and result.returncode != 0:
        raise git_failure(args, result.stderr)
    return result


@contextmanager
def stream_git(
    repo: GitRepo, args: Sequence[str], *, background: bool = False
) -> Iterator[IO[bytes]]:
    """Run a git command and yield its stdout to read as it is produced.

    A `background` command runs at a lower CPU priority: the range's log bounds the run's time,
    so the commands that run beside it take only the CPU the log and the analysis leave.
    When git fails, its own reason is raised as `GitError`, also when the failure cut the
    output short and the reader stumbled on it first.
    """
    process = subprocess.Popen(
        git_command(repo, args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=git_environment(),
        cwd=repo.git_dir,
    )
    if background:
        _lower_priority(process.pid)
    assert process.stdout is not None and process.stderr is not None
    try:
        try:
            yield process.stdout
        except Exception as error:
            process.stdout.read()
            if process.wait() != 0:
                raise git_failure(args, process.stderr.read()) from error
            raise
        process.stdout.read()
        stderr = process.stderr.read()
        if process.wait() != 0:
            raise git_failure(args, stderr)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def _lower_priority(pid: int) -> None:
    """Make a started git process nicer (Unix; elsewhere, and when refused, nothing changes)."""
    if hasattr(os, "setpriority"):
        with suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, pid, BACKGROUND_NICENESS)


_MISSING_SIGNS = (
    "unable to read",
    "bad object",
    "missing blob",
    "missing tree",
    "did not receive expected object",
)


def git_failure(args: Sequence[str], stderr: bytes) -> GitError:
    """The error saying on one line which git command failed and git's own reason."""
    lines = [
        line.strip()
        for line in stderr.decode("utf-8", "replace").splitlines()
        if line.strip() and not line.startswith(("hint:", "warning:"))
    ]
    reason = lines[0] if lines else "no message"
    if reason.startswith("fatal: "):
        reason = reason[len("fatal: ") :]
    command = next((a for a in args if not a.startswith("-")), "command")
    if any(sign in reason for sign in _MISSING_SIGNS):
        return MissingObjectsError(
            f"git {command} failed: {reason} (objects are missing: a partial, shallow or "
            "damaged clone? `git fsck` names them; a full `git fetch` may restore them)"
        )
    return GitError(f"git {command} failed: {reason}")


def open_repo(path: str) -> GitRepo:
    """Open the repository at `path` (a work tree, any folder in it, or a bare repository)."""
    if not os.path.exists(path):
        raise NotARepositoryError(f"{path}: no such directory")
    if not os.path.isdir(path):
        raise NotARepositoryError(f"{path} is a file, not a git repository: name its folder")
    result = run_git(
        None,
        [
            "rev-parse",
            "--absolute-git-dir",
            "--is-bare-repository",
            "--is-shallow-repository",
            "--show-toplevel",
        ],
        cwd=path,
        check=False,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0 and "dubious ownership" in stderr:
        raise NotARepositoryError(
            f"git refuses to read {path}: it is owned by another user. If you trust it, run "
            f"`git config --global --add safe.directory {os.path.abspath(path)}`"
        )
    lines = result.stdout.decode("utf-8", "surrogateescape").splitlines()
    if result.returncode != 0 and len(lines) < 3:
        raise NotARepositoryError(f"{path} is not a git repository (or any of its parents)")
    git_dir, bare, shallow = lines[0], lines[1] == "true", lines[2] == "true"
    work_tree = lines[3] if len(lines) > 3 and not bare else None
    return GitRepo(git_dir=git_dir, work_tree=work_tree, shallow=shallow)
