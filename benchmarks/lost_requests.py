"""Shell requests a kernel never answers: requests sent a few milliseconds apart, while replies go out.

Each of ``--rounds`` fresh kernels is sent ``--requests`` shell requests (kernel_info and short
executes in turn, 0-4 ms apart, not waiting for replies) with ``tests.kernels.unanswered_requests``;
a request with no reply after ``--timeout`` seconds counts as lost. ipykernel 7.0-7.3 lose them
(ipykernel#1529): a notebook run then hangs with the kernel and the client both idle, which is what
pyproject.toml's ``ipykernel<7`` keeps out. Run it with the Python of the environment to measure; the
kernel is that environment's ``python3``.

    python benchmarks/lost_requests.py --rounds 10 --requests 500
    python benchmarks/lost_requests.py --rounds 10 --requests 500 --transport ipc

Prints a line per kernel and the ipykernel version; exits 1 if any request was lost.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.kernels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--transport", choices=["tcp", "ipc"], default="tcp")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    import ipykernel

    from tests.kernels import running_kernel, unanswered_requests

    lost = 0
    for round_ in range(1, args.rounds + 1):
        with running_kernel(transport=args.transport) as (_, client):
            missing = unanswered_requests(client, n=args.requests, seed=round_, timeout=args.timeout)
        lost += missing
        print(f"ipykernel {ipykernel.__version__} ({args.transport}) kernel {round_}: "
              f"{missing} of {args.requests} requests unanswered", flush=True)
    print(f"{lost} of {args.rounds * args.requests} requests unanswered")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
