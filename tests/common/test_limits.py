"""Body limits by route: exact paths, and paths with parameters standing for one segment each."""

from __future__ import annotations

from services.common.limits import DEFAULT_BODY_LIMIT, limits_by_route

LIMITS = {("POST", "/api/v1/documents"): 100, ("POST", "/api/v1/jobs/{job_id}/evidence"): 200}


def test_an_exact_path_gets_its_limit() -> None:
    assert limits_by_route(LIMITS)({"method": "POST", "path": "/api/v1/documents"}) == 100


def test_a_parameter_stands_for_one_segment() -> None:
    limit_for = limits_by_route(LIMITS)

    assert limit_for({"method": "POST", "path": "/api/v1/jobs/4f1c-9a/evidence"}) == 200
    assert limit_for({"method": "POST", "path": "/api/v1/jobs/a/b/evidence"}) == DEFAULT_BODY_LIMIT
    assert limit_for({"method": "POST", "path": "/api/v1/jobs//evidence"}) == DEFAULT_BODY_LIMIT


def test_other_methods_and_paths_get_the_default() -> None:
    limit_for = limits_by_route(LIMITS)

    assert limit_for({"method": "GET", "path": "/api/v1/jobs/x/evidence"}) == DEFAULT_BODY_LIMIT
    assert limit_for({"method": "POST", "path": "/api/v1/jobs/x/evidence/extra"}) == DEFAULT_BODY_LIMIT
