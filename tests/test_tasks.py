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
