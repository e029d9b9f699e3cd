"""Requests sent at the same moment from several threads, for the tests of row locks (PostgreSQL only)."""

import threading

from django.db import connection


def at_once(clients, request, outcome):
    """`request(client)` from one thread per client, released together, each on its own database connection:
    `outcome(response)` of each, or the repr of the error it raised."""
    barrier = threading.Barrier(len(clients))
    outcomes = [None] * len(clients)

    def run(n):
        try:
            barrier.wait(timeout=30)
            outcomes[n] = outcome(request(clients[n]))
        except Exception as error:  # noqa: BLE001 - reported by the caller's assertion
            outcomes[n] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
