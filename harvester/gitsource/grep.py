"""Which of some words occur anywhere in a commit's tree, from one `git grep` call."""

from __future__ import annotations

from collections.abc import Collection

from harvester.gitsource.runner import GitRepo, run_git


def words_present(repo: GitRepo, commit: str, words: Collection[str]) -> set[str]:
    """The subset of `words` that appear as whole words in text files at `commit`."""
    if not words:
        return set()
    args = ["grep", "-I", "-h", "-o", "-w", "-F", "--no-color", "--no-textconv"]
    for word in sorted(words):
        args += ["-e", word]
    result = run_git(repo, [*args, commit, "--"], check=False, background=True)
    if result.returncode not in (0, 1):
        return set(words)
    found = {line.split(":", 1)[-1] for line in result.stdout.decode("utf-8", "replace").split()}
    return found & set(words)
