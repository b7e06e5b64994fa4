"""Locust users for the three measured endpoints; every latency of the measured window goes to a file.

The runner writes a plan (JSON, path in ZV_LOAD_PLAN) and picks one user class on the command line:

- `BareUser`: POST /items on the bare app, one row per request;
- `SubmitUser`: POST /api/v1/applications as an applicant whose documents are all on file (reused);
  no Idempotency-Key;
- `EvidenceUser`: POST /api/v1/jobs/{id}/evidence, as field staff: the photos the open jobs' remaining
  steps need, each user through its own share of the jobs;
- `StepUser`: POST /api/v1/jobs/{id}/steps/{code}/complete with `If-Match`, as field staff; each user
  works through its own share of the open jobs, taking the next version from the ETag it gets back.

Locust's own percentiles are rounded; the runner computes exact ones from the samples written at the end.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from itertools import count
from pathlib import Path
from typing import Any

from locust import events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

from tools import fieldwork

PLAN: dict[str, Any] = json.loads(Path(os.environ["ZV_LOAD_PLAN"]).read_text()) if "ZV_LOAD_PLAN" in os.environ else {}
# (start, end, ok) per request that started once every user was running and the warm-up was over.
SAMPLES: list[tuple[float, float, bool]] = []
ERRORS: dict[str, int] = {}
WINDOW: dict[str, float] = {}
EXHAUSTED = count()
# Every request of the run, warm-up included: the CPU of a whole run is divided by this.
EVERY_REQUEST = count()
_users = count()


@events.spawning_complete.add_listener  # type: ignore[untyped-decorator]
def _spawned(user_count: int, **_: Any) -> None:
    WINDOW["start"] = time.time() + float(PLAN.get("warmup_seconds", 3))


@events.request.add_listener  # type: ignore[untyped-decorator]
def _record(start_time: float, response_time: float, exception: BaseException | None, **_: Any) -> None:
    next(EVERY_REQUEST)
    start = WINDOW.get("start")
    if start is None or start_time < start:
        return
    SAMPLES.append((start_time, start_time + response_time / 1000, exception is None))
    if exception is not None:
        key = str(exception)[:120]
        ERRORS[key] = ERRORS.get(key, 0) + 1


@events.test_stop.add_listener  # type: ignore[untyped-decorator]
def _stopped(**_: Any) -> None:
    WINDOW["stop"] = time.time()


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _write(**_: Any) -> None:
    path = PLAN.get("samples_path")
    if path:
        body = {
            "window": WINDOW,
            "samples": SAMPLES,
            "errors": ERRORS,
            "exhausted_users": next(EXHAUSTED),
            "every_request": next(EVERY_REQUEST),
        }
        Path(path).write_text(json.dumps(body))


def _check(response: Any, expected: int) -> bool:
    if response.status_code == expected:
        response.success()
        return True
    response.failure(f"HTTP {response.status_code}: {response.text[:80] if response.text else ''}")
    return False


class BareUser(FastHttpUser):
    """The baseline: one insert per request."""

    @task
    def insert(self) -> None:
        with self.client.post(
            "/items", json={"name": "Li Wei", "region": "110105"}, name="bare insert", catch_response=True
        ) as response:
            _check(response, 201)


class SubmitUser(FastHttpUser):
    """An applicant applying again and again; every required document is on file and reused."""

    def on_start(self) -> None:
        tokens = PLAN["submission"]["tokens"]
        self.headers = {"Authorization": f"Bearer {tokens[next(_users) % len(tokens)]}"}
        self.body = PLAN["submission"]["body"]

    @task
    def submit(self) -> None:
        with self.client.post(
            "/api/v1/applications", json=self.body, headers=self.headers, name="submission", catch_response=True
        ) as response:
            _check(response, 201)


class EvidenceUser(FastHttpUser):
    """Field staff uploading, job after job of their own share, what each remaining step needs from the site."""

    def on_start(self) -> None:
        plan = PLAN["evidence"]
        index = next(_users)
        self.headers = {"Authorization": f"Bearer {plan['tokens'][index % len(plan['tokens'])]}"}
        self.uploads: deque[tuple[str, dict[str, Any]]] = deque(
            (job_id, upload)
            for job_id, _, codes, rule_set in plan["jobs"][index :: int(PLAN["users"])]
            for code in codes
            for upload in fieldwork.uploads(rule_set, code, job_id=job_id)
        )

    @task
    def upload(self) -> None:
        if not self.uploads:
            next(EXHAUSTED)
            raise StopUser
        job_id, upload = self.uploads.popleft()
        body, content_type = fieldwork.encoded(upload)
        with self.client.post(
            f"/api/v1/jobs/{job_id}/evidence",
            data=body,  # type: ignore[arg-type]  # sent as they are; the annotation leaves bytes out
            headers={**self.headers, "Content-Type": content_type},
            name="evidence upload",
            catch_response=True,
        ) as response:
            _check(response, 201)


class StepUser(FastHttpUser):
    """Field staff completing the current step of their own share of jobs, with If-Match.

    What a step needs from the site is on the job already (the evidence phase and the runner uploaded it).
    """

    def on_start(self) -> None:
        plan = PLAN["steps"]
        index = next(_users)
        users = int(PLAN["users"])
        self.headers = {"Authorization": f"Bearer {plan['tokens'][index % len(plan['tokens'])]}"}
        self.jobs: deque[list[Any]] = deque(plan["jobs"][index::users])
        self.current: list[Any] | None = None

    @task
    def complete(self) -> None:
        if self.current is None:
            if not self.jobs:
                next(EXHAUSTED)
                raise StopUser
            self.current = self.jobs.popleft()
        job_id, version, codes, rule_set = self.current
        with self.client.post(
            f"/api/v1/jobs/{job_id}/steps/{codes[0]}/complete",
            headers={**self.headers, "If-Match": str(version)},
            json=fieldwork.completion(rule_set, codes[0], job_id=job_id),
            name="step completion",
            catch_response=True,
        ) as response:
            if _check(response, 200) and len(codes) > 1:
                self.current = [job_id, int(response.headers["etag"].strip('"')), codes[1:], rule_set]
            else:
                self.current = None
