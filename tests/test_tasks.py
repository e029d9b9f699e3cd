import pytest
from django.conf import settings

from pixdeploy.tasks import ping


@pytest.mark.worker
def test_ping_is_answered_by_a_worker_reading_the_same_database(framework, celery_worker):
    result = ping.delay()
    report = result.get(timeout=30)
    assert report["competences"] == 16
    if settings.CELERY_TASK_ALWAYS_EAGER:
        assert celery_worker is None
    else:
        # A real worker answered, in another process, through the broker.
        assert celery_worker.poll() is None
        assert result.state == "SUCCESS"


def test_the_suite_shares_no_queue_and_no_cache_with_a_development_server():
    from pixdeploy.celery import app

    from .conftest import TEST_QUEUE

    assert TEST_QUEUE.startswith("pixdeploy-test-")
    assert app.amqp.router.route({}, ping.name)["queue"].name == TEST_QUEUE
    # A Redis cache's clear() flushes its whole database: the suite's cache stays in its own process.
    assert {cache["BACKEND"] for cache in settings.CACHES.values()} == {"django.core.cache.backends.locmem.LocMemCache"}
