"""How an ingested event reaches its workflow: from a worker process, or from outside one.

A process that runs workflows enqueues and signals through DBOS directly; a process that only
receives events (an API front end, the test driver that kills workers) uses ``DBOSClient``,
which writes to the same system database without running any workflow code. Both are
idempotent: the workflow ID is the case ID (``resolve:<review key>`` for a person's
resolution of a review item) and every signal has an idempotency key.
"""

from __future__ import annotations

from typing import Any, Protocol

from dbos import DBOS, DBOSClient, EnqueueOptions, SetWorkflowID
from dbos._registrations import get_dbos_func_name

from recoup.domain.models import TriggerEvent
from recoup.workflows.case import SIGNAL, case_workflow
from recoup.workflows.queues import CASE_QUEUE, case_queue
from recoup.workflows.resolution import resolve_review_workflow, workflow_id


class Dispatcher(Protocol):
    def enqueue_case(self, case_id: str, trigger: TriggerEvent) -> None:
        """Start the case's workflow on the case queue, unless it exists."""
        ...

    def signal(self, case_id: str, message: dict[str, Any], key: str, topic: str = SIGNAL) -> None:
        """Deliver ``message`` on the workflow's signal topic (or ``topic``), once per ``key``."""
        ...

    def start_resolution(self, key: str, request: dict[str, Any]) -> None:
        """Start the resolution workflow of review item ``key`` on the case queue, unless one
        was started for it (a double click)."""
        ...


class LocalDispatcher:
    """For processes where DBOS is launched."""

    def enqueue_case(self, case_id: str, trigger: TriggerEvent) -> None:
        with SetWorkflowID(case_id):
            case_queue().enqueue(case_workflow, case_id, trigger)

    def signal(self, case_id: str, message: dict[str, Any], key: str, topic: str = SIGNAL) -> None:
        DBOS.send(case_id, message, topic=topic, idempotency_key=key)

    def start_resolution(self, key: str, request: dict[str, Any]) -> None:
        with SetWorkflowID(workflow_id(key)):
            case_queue().enqueue(resolve_review_workflow, key, request)


class ClientDispatcher:
    """For processes that only hand work to workers sharing the system database."""

    def __init__(self, system_database_url: str) -> None:
        self._client = DBOSClient(system_database_url=system_database_url)

    def enqueue_case(self, case_id: str, trigger: TriggerEvent) -> None:
        options: EnqueueOptions = {
            "workflow_name": get_dbos_func_name(case_workflow),
            "queue_name": CASE_QUEUE,
            "workflow_id": case_id,
        }
        self._client.enqueue(options, case_id, trigger)

    def signal(self, case_id: str, message: dict[str, Any], key: str, topic: str = SIGNAL) -> None:
        self._client.send(case_id, message, topic=topic, idempotency_key=key)

    def start_resolution(self, key: str, request: dict[str, Any]) -> None:
        options: EnqueueOptions = {
            "workflow_name": get_dbos_func_name(resolve_review_workflow),
            "queue_name": CASE_QUEUE,
            "workflow_id": workflow_id(key),
        }
        self._client.enqueue(options, key, request)

    def close(self) -> None:
        self._client.destroy()
