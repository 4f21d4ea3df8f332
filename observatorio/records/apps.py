from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RecordsConfig(AppConfig):
    name = "observatorio.records"
    verbose_name = "Registros"

    def ready(self):
        from . import signals  # noqa: F401

        post_migrate.connect(_seed_measures, sender=self)
        _purge_uploads()


def _purge_uploads():
    """Uploads never imported are deleted after OBS_UPLOAD_RETENTION_HOURS: once at start-up (and per upload)."""
    import logging

    from .web.uploads import purge_expired

    try:
        purge_expired()
    except OSError:
        logging.getLogger(__name__).warning("could not purge expired uploads", exc_info=True)


def _seed_measures(sender, using="default", **kwargs):
    """The standard measures exist after every migrate (and after a flush, which tests do: Django sends
    post_migrate then too, as it does to create permissions); seeding never changes an existing measure."""
    from observatorio.audit.record import seeding

    from .measures import seed_measures

    with seeding():
        seed_measures(using=using)
