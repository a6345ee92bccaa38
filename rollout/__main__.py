"""`python -m rollout`: the command line (rollout.cli)."""

from rollout.cli import run

if __name__ == "__main__":
    run()
