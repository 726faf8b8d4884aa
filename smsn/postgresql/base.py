"""Django's PostgreSQL backend, giving up on a server that does not answer.

A frozen server (stopped, or behind a proxy or network path that swallows requests without
refusing them) leaves the socket open and the kernel acknowledging what is sent, so neither TCP
keepalives nor `tcp_user_timeout` notice, and `statement_timeout` is enforced by the very server
that is not answering: psycopg would wait for ever, and so would the gunicorn worker. Here each
wait for an answer is bounded by OPTIONS["answer_timeout"] seconds: past it the connection is
closed and the query raises OperationalError, which the site answers with its 503 page. The next
request connects afresh, so a worker recovers by itself when the server does.
"""

from __future__ import annotations

import types
from typing import Any

import psycopg
from django.db.backends.postgresql import base


class AnswerTimeoutConnection(psycopg.Connection):
    """A psycopg connection that waits at most `answer_timeout` seconds for each answer."""

    answer_timeout: float | None = None

    @classmethod
    def connect(  # type: ignore[override]  # adds answer_timeout, a float psycopg's options refuse
        cls, conninfo: str = "", *, answer_timeout: float | None = None, **kwargs: Any
    ) -> AnswerTimeoutConnection:
        connection = super().connect(conninfo, **kwargs)
        connection.answer_timeout = answer_timeout or None
        return connection

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        # A caller's own timeout (psycopg's notifies(), cancel) is its business: it handles the
        # timeout it asked for. (_WaitTimeout is what psycopg >= 3.3 raises when a wait expires.)
        if timeout is not None or self.answer_timeout is None:
            return super().wait(gen, interval=interval, timeout=timeout)
        try:
            return super().wait(gen, interval=interval, timeout=self.answer_timeout)
        except psycopg.errors._WaitTimeout:
            # Stopped half-way through an exchange of messages, the connection cannot be reused.
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"the database did not answer within {self.answer_timeout:g} s"
            ) from None


class _Psycopg(types.ModuleType):
    """The psycopg module as Django's backend uses it, connecting with AnswerTimeoutConnection."""

    connect = AnswerTimeoutConnection.connect

    def __getattr__(self, name: str) -> Any:
        return getattr(psycopg, name)


class DatabaseWrapper(base.DatabaseWrapper):
    Database = _Psycopg(psycopg.__name__)
